from tests.bot.dashboard.conftest import make_account
async def test_smoke(app, browser, tmp_path):
    await make_account(app, "admin", "admin")
    b = await browser()
    r = await b.login("admin")
    print(r.status_code, r.headers.get("location"))
    for path in ["/dashboard", "/dashboard/owners", "/dashboard/nib-queue", "/dashboard/update-rounds", "/dashboard/broadcasts", "/dashboard/downloads", "/dashboard/accounts", "/dashboard/audit"]:
        r = await b.get(path)
        print(path, r.status_code)
        if r.status_code != 200:
            print(r.text[:3000])
        (tmp_path.parent / ("smoke" + path.replace("/", "_") + ".html")).write_text(r.text)

"""The PDF certificate of attendance (sertifikat): name, training, date, agency, verification number.

Its words are the template `trainings/certificate`, one line of the page per line of text,
in the recipient's language; a line's first characters say how it is set:

    # SERTIFIKAT           the heading
    ## Siti Aminah         the person's name
    ### Pelatihan Sablon   the training
    ~ No. BJB-PLT12-57-K7QF   small print
    (an empty line)        space

It is built when the outbox sends it (`CERTIFICATE_ATTACHMENT`, a builder the capability
declares), so it always carries the name as it is then. The PDF uses the standard Helvetica
font (Latin-1): letters outside it are written without their accents.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from handlers.agency import AgencyProfile
from handlers.attachments import (
    Attachment,
    AttachmentBuilder,
    AttachmentRequest,
    AttachmentSources,
    AttachmentUnavailable,
)
from handlers.trainings.kinds import CERTIFICATE_BUILDER, training_values
from messages import Renderer
from storage.models.trainings import Training

PDF = "application/pdf"
# (font size, bold, line height in mm) per line marker.
STYLES = {"# ": (34, True, 18.0), "## ": (26, True, 14.0), "### ": (18, True, 10.0), "~ ": (10, False, 6.0)}
PLAIN = (13, False, 8.0)
_TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def latin1(text: str) -> str:
    """What the standard PDF fonts can show: accents outside Latin-1 dropped, the rest as '?'."""
    text = text.translate(_TYPOGRAPHY).replace("\u2026", "...")
    kept = []
    for char in text:
        try:
            char.encode("latin-1")
            kept.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            kept.append(base if base and base.isascii() else "?")
    return "".join(kept)


def _style(line: str) -> tuple[str, tuple[int, bool, float]]:
    for marker, style in STYLES.items():
        if line.startswith(marker):
            return line[len(marker) :].strip(), style
    return line.strip(), PLAIN


def certificate_pdf(
    renderer: Renderer,
    agency: AgencyProfile,
    locale: str,
    *,
    name: str,
    training: Training,
    number: str,
    issued: datetime,
) -> Attachment:
    """The certificate as a one-page landscape A4 PDF."""
    text = renderer.render(
        "trainings/certificate",
        locale,
        {"training": training_values(training, agency), "name": name, "number": number, "issued": issued},
    )
    # Imported here: fpdf2 (with fontTools and Pillow) is about 19 MB of memory that the bot's
    # processes, the outbox sender above all, need not hold until a certificate is made.
    from fpdf import FPDF  # noqa: PLC0415

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(latin1(text.splitlines()[0].lstrip("# ").strip()) if text else "")
    pdf.set_author(latin1(agency.name))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)
    pdf.set_y(30)
    for raw in text.splitlines():
        line, (size, bold, height) = _style(raw)
        if not line:
            pdf.ln(PLAIN[2] / 2)
            continue
        pdf.set_font("Helvetica", "B" if bold else "", size)
        pdf.multi_cell(0, height, latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    return Attachment(f"sertifikat-pelatihan-{training.id}-{number}.pdf", bytes(pdf.output()), PDF)


async def build_certificate(sources: AttachmentSources, request: AttachmentRequest) -> Attachment:
    """The outbox row's recipient's certificate for the training its args name."""
    training_id = int(request.args["training"])
    if request.user_id is None:
        raise AttachmentUnavailable("the certificate's recipient is unknown")
    async with sources.db.transaction() as tx:
        found = await tx.trainings.certificate_of(training_id, user_id=request.user_id)
    if found is None:
        raise AttachmentUnavailable(f"no attendance of user {request.user_id} at training {training_id}")
    enrolment, name, training = found
    if enrolment.certificate_no is None or enrolment.attended_at is None or not name:
        raise AttachmentUnavailable(f"training {training_id}: no certificate for user {request.user_id}")
    return certificate_pdf(
        sources.renderer,
        sources.agency,
        request.locale,
        name=name,
        training=training,
        number=enrolment.certificate_no,
        issued=training.ends_at,
    )


CERTIFICATE_ATTACHMENT = AttachmentBuilder(CERTIFICATE_BUILDER, "document", build_certificate)

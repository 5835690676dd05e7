"""Printed page templates: letters, leases, forms, invoices, cheques, notes.

Each template draws print on a :class:`~penmark.synth.canvas.Canvas` and registers slots; it does
not draw handwriting. Layout parameters are randomised so that no two pages share exact geometry.
"""

from __future__ import annotations

import random

from . import text as T
from .canvas import Canvas, Slot
from .decor import logo
from .fonts import font


def _header(cv: Canvas, rng: random.Random, y: float) -> float:
    s = cv.s
    if rng.random() < 0.25:
        y = logo(cv, rng, cv.margin * rng.uniform(0.4, 1.0), y) + cv.body * 1.5
    if rng.random() < 0.5:
        title = rng.choice((
            "U.S. GOVERNMENT LEASE FOR REAL PROPERTY", "SUPPLEMENTAL LEASE AGREEMENT",
            "LEASE AMENDMENT", "GENERAL SERVICES ADMINISTRATION", "STANDARD FORM 2",
            "AGREEMENT OF SALE", "MEMORANDUM", "CERTIFICATE OF COMPLIANCE",
        ))
        f = cv.f(rng.uniform(36, 52) * s, "b")
        cv.text((cv.w / 2, y), title, f, anchor="ma")
        y += f.size * 1.5
    else:
        f = cv.f(rng.uniform(40, 60) * s, "b", rng.choice(("serif", "sans")))
        if rng.random() < 0.2 and cv.bank.roles["script"]:
            # Letterhead in a printed script face: print that looks like handwriting.
            f = font(rng.choice(cv.bank.roles["script"]), int(rng.uniform(56, 84) * s))
            cv.distractors.append(("script_letterhead", cv.text((cv.margin, y), T.company(rng), f)))
        else:
            cv.text((cv.margin, y), T.company(rng), f)
        y += f.size * 1.2
        for line in T.address_lines(rng):
            cv.text((cv.margin, y), line, cv.f(cv.body * 0.85))
            y += cv.body * 1.05
        y += cv.body
    return y


def _footer(cv: Canvas, rng: random.Random) -> None:
    """Footer with form number, page number and often an INITIALS line (filled by hand later)."""
    s, y = cv.s, cv.h - cv.margin * rng.uniform(0.4, 0.7)
    f = cv.f(cv.body * 0.7)
    if rng.random() < 0.7:
        cv.text((cv.w - cv.margin, y), f"GSA FORM {rng.randint(100, 3999)} ({rng.randint(1, 12)}/"
                f"{rng.randint(90, 99)})", f, anchor="rs")
    if rng.random() < 0.6:
        x = cv.margin
        for lab in rng.sample(("LESSOR", "GOV'T", "INITIALS", "TENANT"), 2):
            bb = cv.text((x, y), f"{lab}:", f, anchor="ls")
            cv.hline(bb[2] + 6 * s, bb[2] + 110 * s, y + 2 * s)
            cv.slots.append(Slot("initials", (int(bb[2] + 6 * s), int(y - 70 * s),
                                              int(bb[2] + 110 * s), int(y + 2 * s)), lab))
            x = bb[2] + 160 * s
    elif rng.random() < 0.5:
        cv.text((cv.w / 2, y), f"Page {rng.randint(1, 9)} of {rng.randint(9, 20)}", f,
                anchor="ms")


def letter(cv: Canvas, rng: random.Random) -> None:
    s = cv.s
    y = _header(cv, rng, cv.margin * rng.uniform(0.5, 0.9))
    x0, width = cv.margin, cv.w - 2 * cv.margin
    cv.slots.append(Slot("margin", (int(x0 + width * 0.5), int(cv.margin * 0.3),
                                    int(cv.w - cv.margin * 0.3), int(y))))
    cv.text((x0, y), T.date(rng), cv.f())
    cv.slots.append(Slot("line", (int(x0 + width * 0.55), int(y - 10 * s), int(x0 + width),
                                  int(y + cv.body * 1.2)), "date"))
    y += cv.body * 2.5
    for line in [T.name(rng), T.company(rng), *T.address_lines(rng)]:
        cv.text((x0, y), line, cv.f())
        y += cv.body * 1.2
    y += cv.body * 1.2
    if rng.random() < 0.5:
        cv.text((x0, y), f"RE: {T.sentence(rng, 3, 7)}", cv.f(style="b"))
        y += cv.body * 2
    cv.text((x0, y), f"Dear {rng.choice(('Mr.', 'Ms.', 'Dr.'))} {rng.choice(T.LAST)}:", cv.f())
    y += cv.body * 2
    leading = rng.uniform(1.2, 1.8)
    for _ in range(rng.randint(2, 7)):
        y = cv.paragraph(x0, y, width, T.paragraph(rng), leading=leading,
                         indent=cv.body * 2 if rng.random() < 0.5 else 0)
        y += cv.body * leading * 0.8
        if y > cv.h * 0.72:
            break
    gap_top = y
    cv.text((x0 + width * rng.choice((0, 0.5)), y), rng.choice(
        ("Sincerely,", "Very truly yours,", "Best regards,", "Respectfully,")), cv.f())
    sx = x0 + width * rng.choice((0, 0, 0.5))
    y += cv.body * 4.5
    name = T.name(rng)
    cv.text((sx, y), name, cv.f())
    cv.slots.append(Slot("sig", (int(sx - 20 * s), int(gap_top + cv.body * 1.3),
                                 int(sx + 620 * s), int(y + cv.body)), name))
    y += cv.body * 1.2
    cv.text((sx, y), rng.choice(T.TITLES), cv.f())
    y += cv.body * 2.5
    if y < cv.h - cv.margin * 1.5:
        cv.text((x0, y), f"cc: {T.name(rng)}", cv.f(cv.body * 0.85))
        cv.slots.append(Slot("note", (int(x0), int(y + cv.body * 1.5), int(x0 + width * 0.7),
                                      int(cv.h - cv.margin))))
    if rng.random() < 0.3:
        _footer(cv, rng)


def lease(cv: Canvas, rng: random.Random) -> None:
    """Lease / contract page: dense justified clauses, section bars, fill-in lines, signature
    block (lines or a GSA-style grid), footer initials."""
    s = cv.s
    cv.body = 2 * int(rng.uniform(20, 28) * s / 2)
    y = _header(cv, rng, cv.margin * rng.uniform(0.3, 0.7))
    x0, width = cv.margin * rng.uniform(0.6, 1.0), cv.w - 2 * cv.margin * rng.uniform(0.6, 1.0)
    f = cv.f()
    if rng.random() < 0.6:
        cv.field(x0 + width * 0.6, y, "LEASE NO.", width * 0.25, f)
        y += cv.body * 1.8
        cv.field(x0, y, "THIS LEASE, made and entered into this date", width * 0.3, f)
        y += cv.body * 1.8
    just = rng.random() < 0.6
    leading = rng.uniform(1.1, 1.35)
    n_par = rng.randint(3, 12)
    sec = 0
    for i in range(n_par):
        if rng.random() < 0.25 and y < cv.h * 0.6:
            sec += 1
            y = cv.section(y + cv.body * 0.3, f"{rng.choice(('PART', 'SECTION'))} {sec} - "
                           f"{' '.join(rng.choice(T.WORDS) for _ in range(3)).upper()}")
        num = f"{i + 1}. " if rng.random() < 0.7 else ""
        text = num + T.paragraph(rng, (1, 4))
        if just:
            y = cv.justified(x0, y, width, text, f, leading)
        else:
            y = cv.paragraph(x0, y, width, text, f, leading)
        y += cv.body * rng.uniform(0.3, 0.9)
        if rng.random() < 0.3 and y < cv.h * 0.6:
            x = x0 + cv.body * 2
            lab = rng.choice(("commencing on", "rental of $", "square feet:", "ending on",
                              "at the rate of $", "Street address:", "date", "per annum $"))
            cv.field(x, y + f.size, lab, width * rng.uniform(0.2, 0.45), f)
            y += f.size * 2.4
        if y > cv.h * rng.uniform(0.55, 0.78):
            break
    y += cv.body
    cv.text((x0, y), "IN WITNESS WHEREOF, the parties hereto have hereunto subscribed their names "
            "as of the date first above written.", cv.f(cv.body * 0.9))
    y += cv.body * 2
    if rng.random() < 0.4:
        _sig_grid(cv, rng, x0, y, width)
    else:
        for party in rng.sample(("LESSOR", "UNITED STATES OF AMERICA", "TENANT", "WITNESS",
                                 "IN PRESENCE OF", "LANDLORD"), rng.randint(1, 3)):
            if y > cv.h - cv.margin * 2.2:
                break
            cv.text((x0, y), party, cv.f(cv.body, "b"))
            y += cv.body * 1.2 + rng.uniform(80, 140) * s
            cols = rng.choice((1, 2))
            colw = width / cols - 40 * s
            for c in range(cols):
                cap = rng.choice(("(Signature)", "SIGNATURE", "BY", "(Title)", "NAME OF SIGNER"))
                pn = T.name(rng) if rng.random() < 0.5 else None
                cv.sig_line(x0 + c * (colw + 40 * s), y, colw * rng.uniform(0.6, 1.0), cap, pn)
            y += cv.body * 3.5
            if rng.random() < 0.5:
                cv.field(x0, y, rng.choice(("Address:", "Title:", "Date:", "Name:")), width * 0.5)
                y += cv.body * 2.5
    _footer(cv, rng)


def _sig_grid(cv: Canvas, rng: random.Random, x0: float, y: float, width: float) -> None:
    """GSA-style signature table: labelled cells; SIGNATURE cells get signatures, the others
    typed or handwritten names, titles, addresses and dates."""
    s = cv.s
    for party in rng.sample(("FOR THE LESSOR", "FOR THE GOVERNMENT", "WITNESSED BY"),
                            rng.randint(1, 2)):
        if y > cv.h - cv.margin * 2.5:
            break
        cv.text((x0, y), party + ":", cv.f(cv.body, "b"))
        y += cv.body * 1.4
        rh = rng.uniform(90, 130) * s
        for _ in range(rng.randint(1, 2)):
            cells = rng.choice((("SIGNATURE", "NAME OF SIGNER"), ("SIGNATURE", "DATE"),
                                ("ADDRESS", "TITLE"), ("SIGNATURE", "OFFICIAL TITLE OF SIGNER")))
            for c, lab in enumerate(cells):
                cx0 = x0 + c * width / 2
                cv.boxed_field(cx0, y, cx0 + width / 2, y + rh, lab,
                               kind="sig" if lab == "SIGNATURE" else "box")
                if lab != "SIGNATURE" and rng.random() < 0.5:
                    val = T.fill_value(rng, lab)
                    cv.text((cx0 + 20 * s, y + rh - 12 * s), val,
                            cv.f(cv.body, family=rng.choice(("mono", "type", cv.family))),
                            anchor="ls")
                    cv.slots.pop()  # printed already: not a slot any more
            y += rh
        y += cv.body * 1.5


def form(cv: Canvas, rng: random.Random) -> None:
    s = cv.s
    y = _header(cv, rng, cv.margin * rng.uniform(0.4, 0.7))
    x0, width = cv.margin * 0.7, cv.w - 1.4 * cv.margin
    labels = ["Name", "Date of birth", "Address", "City / State", "Telephone", "Date",
              "Account No.", "Employer", "Title", "Amount", "Policy number", "Physician",
              "Diagnosis", "Signature of applicant", "Date signed", "Street address",
              "Emergency contact", "Total"]
    rng.shuffle(labels)
    layout = rng.choice(("grid", "lines", "mixed"))
    rows = rng.randint(5, 11)
    f = cv.f(cv.body * 0.85)
    if layout in ("grid", "mixed"):
        cols = rng.choice((2, 3))
        rh = rng.uniform(80, 120) * s
        cw = width / cols
        for r in range(rows):
            for c in range(cols):
                cv.boxed_field(x0 + c * cw, y, x0 + (c + 1) * cw, y + rh,
                               labels[(r * cols + c) % len(labels)].upper())
            y += rh
        y += cv.body * 1.5
    if layout in ("lines", "mixed"):
        combs = rng.random() < 0.35  # block-capital combs: one character per cell
        cell = rng.uniform(0.9, 1.4) * f.size * 1.5
        full = rng.random() < 0.6
        for r in range(rows):
            if y > cv.h * 0.75:
                break
            lab = labels[r % len(labels)]
            if combs and "Signature" not in lab and rng.random() < 0.7:
                n = int(min(rng.randint(6, 24), (width * 0.9 - f.getlength(lab)) / cell))
                if n >= 4:
                    cv.comb_field(x0, y, lab.upper() if rng.random() < 0.5 else lab, n, cell, f,
                                  full)
                    y += cell + f.size * rng.uniform(1.0, 1.8)
                    continue
            cv.field(x0, y + f.size, lab + ":", width * rng.uniform(0.35, 0.7), f)
            y += f.size * rng.uniform(2.2, 3.2)
    if y < cv.h * 0.75:
        x = x0
        for lab in rng.sample(("Yes", "No", "Single", "Married", "Owner", "Tenant", "Other",
                               "Renewal", "New", "Cancel"), 5):
            x = cv.checkbox(x, y, lab, f) + 50 * s
        y += cv.body * 2.5
        y = cv.paragraph(x0, y, width, T.paragraph(rng, (1, 3)), cv.f(cv.body * 0.75))
        y += cv.body * 2
    if y < cv.h - cv.margin * 1.8:
        y += 100 * s
        cv.sig_line(x0, y, width * 0.45, "Signature")
        cv.field(x0 + width * 0.55, y, "Date", width * 0.3, f)
    _footer(cv, rng)


def invoice(cv: Canvas, rng: random.Random) -> None:
    s = cv.s
    y = _header(cv, rng, cv.margin * 0.6)
    x0, width = cv.margin, cv.w - 2 * cv.margin
    big = cv.f(cv.body * 1.6, "b")
    cv.text((x0 + width, y - cv.body * 3), rng.choice(("INVOICE", "RECEIPT", "PURCHASE ORDER")),
            big, anchor="ra")
    cv.text((x0 + width * 0.6, y), f"No. {rng.randint(1000, 99999)}", cv.f())
    cv.text((x0 + width * 0.6, y + cv.body * 1.3), f"Date: {T.date(rng)}", cv.f())
    y += cv.body * 4
    ncols = 4
    cw = [0.5, 0.15, 0.15, 0.2]
    heads = ["Description", "Qty", "Unit price", "Amount"]
    rh = cv.body * rng.uniform(1.6, 2.2)
    xs = [x0]
    for c in cw:
        xs.append(xs[-1] + c * width)
    nrows = rng.randint(4, 14)
    lw = max(1, int(2 * s))
    cv.draw.rectangle([x0, y, x0 + width, y + rh], fill=(225, 225, 225) if rng.random() < 0.5
                      else None, outline=cv.ink, width=lw)
    for c in range(ncols):
        cv.text((xs[c] + 8 * s, y + rh * 0.2), heads[c], cv.f(style="b"))
    y += rh
    for _ in range(nrows):
        cv.draw.rectangle([x0, y, x0 + width, y + rh], outline=cv.ink, width=lw)
        for c in range(1, ncols):
            cv.draw.line([(xs[c], y), (xs[c], y + rh)], fill=cv.ink, width=lw)
        if rng.random() < 0.7:
            q = rng.randint(1, 40)
            p = rng.uniform(1, 900)
            vals = [" ".join(rng.choice(T.WORDS) for _ in range(rng.randint(1, 4))).title(),
                    str(q), f"{p:,.2f}", f"{q * p:,.2f}"]
            for c in range(ncols):
                cv.text((xs[c] + 8 * s, y + rh * 0.2), vals[c], cv.f())
        else:
            cv.slots.append(Slot("box", (int(xs[0] + 8 * s), int(y + 4), int(xs[1] - 8 * s),
                                         int(y + rh - 4)), "description"))
        y += rh
    cv.text((xs[3] - 8 * s, y + rh * 0.2), "TOTAL", cv.f(style="b"), anchor="ra")
    cv.slots.append(Slot("box", (int(xs[3] + 8 * s), int(y + 2), int(x0 + width), int(y + rh)),
                         "total"))
    y += rh * 2.5
    if y < cv.h - cv.margin * 2:
        cv.field(x0, y + cv.body, "Received by:", width * 0.35)
        cv.field(x0 + width * 0.55, y + cv.body, "Date:", width * 0.3)
        cv.slots.append(Slot("note", (int(x0), int(y + cv.body * 3), int(x0 + width),
                                      int(cv.h - cv.margin))))


def cheque(cv: Canvas, rng: random.Random) -> None:
    """Cheques: one filling a landscape page (config.size like 1280x640), else 1-3 cheques of
    real proportions (~2.3:1) stacked on a scanned sheet."""
    s = cv.s
    if cv.w > cv.h:
        boxes = [(cv.w * 0.01, cv.h * 0.02, cv.w * 0.99, cv.h * 0.98)]
    else:
        n = rng.choice((1, 2, 3))
        cw = cv.w - cv.margin * rng.uniform(0.4, 1.2)
        ch = min(cw / rng.uniform(2.2, 2.6), (cv.h - cv.margin) / n - 20 * s)
        x0 = (cv.w - cw) / 2
        top = cv.margin * rng.uniform(0.3, 0.8)
        gap = rng.uniform(15, 60) * s
        boxes = [(x0, top + i * (ch + gap), x0 + cw, top + i * (ch + gap) + ch) for i in range(n)]
    for x0, y0, x1, y1 in boxes:
        _one_cheque(cv, rng, x0, y0, x1, y1)
    if cv.w <= cv.h and rng.random() < 0.5:
        yb = boxes[-1][3] + cv.body * 2
        if yb < cv.h - cv.margin * 2:
            cv.slots.append(Slot("note", (int(cv.margin), int(yb), int(cv.w - cv.margin),
                                          int(cv.h - cv.margin))))


def _one_cheque(cv: Canvas, rng: random.Random, x0: float, y0: float, x1: float, y1: float
                ) -> None:
    s = cv.s
    h = y1 - y0
    w = x1 - x0
    if rng.random() < 0.5:
        tint = tuple(rng.randint(222, 248) for _ in range(3))
        cv.draw.rectangle([x0, y0, x1, y1], fill=tint)
        if rng.random() < 0.5:  # security pattern: fine diagonal hatching
            step = max(4, int(rng.uniform(6, 14) * s))
            col = tuple(max(0, c - rng.randint(10, 25)) for c in tint)
            for k in range(int(-h), int(w), step):
                cv.draw.line([(x0 + max(k, 0), y0 + max(-k, 0)),
                              (x0 + min(k + h, w), y0 + min(h, w - k))], fill=col, width=1)
    cv.draw.rectangle([x0, y0, x1, y1], outline=cv.ink, width=max(1, int(3 * s)))
    u = h / 10
    fs = min(u * 0.42, 34 * s * max(1.0, cv.w / 1700))
    f = cv.f(fs)
    cv.text((x0 + 30 * s, y0 + u * 0.6), rng.choice((
        "FIRST NATIONAL BANK", "STATE BANK OF INDIA", "CITY SAVINGS BANK", "UNION BANK",
        "HDFC BANK", "CANARA BANK", T.company(rng).upper())), cv.f(fs * 1.4, "b"))
    cv.text((x0 + 30 * s, y0 + u * 0.6 + fs * 1.7), T.address_lines(rng)[-1], cv.f(fs * 0.8))
    cv.text((x1 - 30 * s, y0 + u * 0.6), f"No. {rng.randint(100000, 999999)}", f, anchor="ra")
    if rng.random() < 0.5:
        # Indian-style DDMMYYYY date grid.
        cell = min(u * 0.9, w * 0.03)
        gx = x1 - 30 * s - cell * 8
        gy = y0 + u * 1.4
        for i in range(8):
            cv.draw.rectangle([gx + i * cell, gy, gx + (i + 1) * cell, gy + cell],
                              outline=cv.ink, width=max(1, int(2 * s)))
            cv.text((gx + (i + 0.5) * cell, gy + cell + 2), "DDMMYYYY"[i], cv.f(fs * 0.6),
                    anchor="ma")
        cv.text((gx - 10 * s, gy + cell / 2), "Date", f, anchor="rm")
        cv.slots.append(Slot("grid", (int(gx), int(gy), int(gx + 8 * cell), int(gy + cell)),
                             "8"))
    else:
        cv.field(x1 - w * 0.36, y0 + u * 2.1, "DATE", w * 0.22, f)
        cv.slots[-1].hint = "date"
    cv.field(x0 + 30 * s, y0 + u * 3.6, rng.choice(("PAY TO THE ORDER OF", "PAY", "Pay")),
             w * 0.55, f)
    cv.slots[-1].hint = "payee name"
    bx = x1 - w * 0.24
    cv.text((bx - 10 * s, y0 + u * 3.6), rng.choice(("$", "Rs.", "₹", "€")), cv.f(fs * 1.3, "b"),
            anchor="rs")
    cv.draw.rectangle([bx, y0 + u * 2.8, x1 - 30 * s, y0 + u * 3.9], outline=cv.ink,
                      width=max(1, int(2 * s)))
    cv.slots.append(Slot("box", (int(bx + 8), int(y0 + u * 2.85), int(x1 - 36 * s),
                                 int(y0 + u * 3.85)), "amount"))
    end = cv.field(x0 + 30 * s, y0 + u * 5.1, rng.choice(("RUPEES", "", "")), w * 0.7, f)
    cv.slots[-1].hint = "amount words"
    cv.text((end + 10 * s, y0 + u * 5.1), rng.choice(("DOLLARS", "ONLY", "")), f, anchor="ls")
    if rng.random() < 0.5:
        cv.hline(x0 + 30 * s, x0 + w * 0.75, y0 + u * 6.2)
        cv.slots.append(Slot("line", (int(x0 + 30 * s), int(y0 + u * 5.3), int(x0 + w * 0.75),
                                      int(y0 + u * 6.2)), "amount words"))
    cv.field(x0 + 30 * s, y0 + u * 7.3, "MEMO", w * 0.35, f)
    cv.sig_line(x1 - w * 0.40, y0 + u * 7.4, w * 0.36,
                rng.choice(("AUTHORIZED SIGNATURE", "", "Please sign above")))
    micr = "".join(rng.choice("0123456789") for _ in range(24))
    cv.text((x0 + w * 0.12, y0 + u * 9.3), f"C{micr[:6]}C A{micr[6:15]}A {micr[15:]}",
            cv.f(u * 0.45, family="mono"), anchor="ls")


def note(cv: Canvas, rng: random.Random) -> None:
    """A mostly-blank page (memo pad, fax cover, routing slip) where handwriting dominates."""
    s = cv.s
    y = cv.margin * 0.6
    title = rng.choice(("FAX", "MEMO", "ROUTING SLIP", "TELEPHONE MESSAGE", "NOTES",
                        "FACSIMILE TRANSMITTAL"))
    cv.text((cv.margin, y), title, cv.f(cv.body * 1.8, "b"))
    y += cv.body * 3
    f = cv.f()
    for lab in rng.sample(("To:", "From:", "Date:", "Re:", "Pages:", "Fax:", "Phone:"),
                          rng.randint(3, 6)):
        cv.field(cv.margin, y + f.size, lab, (cv.w - 2 * cv.margin) * rng.uniform(0.4, 0.7), f)
        y += f.size * 2.6
    hint = "page"
    top = y + cv.body
    if rng.random() < 0.5:  # ruled paper: the writer follows the rules
        gap = rng.uniform(60, 90) * s
        yy = y + gap
        top = yy
        while yy < cv.h - cv.margin:
            cv.hline(cv.margin, cv.w - cv.margin, yy, 1)
            yy += gap
        hint = f"ruled:{gap:.1f}"
    cv.slots.append(Slot("note", (int(cv.margin), int(top), int(cv.w - cv.margin),
                                  int(cv.h - cv.margin)), hint))


def table(cv: Canvas, rng: random.Random) -> None:
    """A ruled table (timesheet, log, inventory, sign-in sheet): printed header and first
    column, cells filled in by hand (each cell a phrase), sometimes a signature column."""
    s = cv.s
    y = _header(cv, rng, cv.margin * rng.uniform(0.4, 0.8))
    title = rng.choice(("TIME SHEET", "VISITOR LOG", "INVENTORY COUNT", "SIGN-IN SHEET",
                        "MILEAGE LOG", "DELIVERY RECORD", "ATTENDANCE"))
    cv.text((cv.w / 2, y), title, cv.f(cv.body * 1.3, "b"), anchor="ma")
    y += cv.body * 2.5
    x0, width = cv.margin * 0.7, cv.w - 1.4 * cv.margin
    heads = rng.choice((
        ["Date", "Name", "Time in", "Time out", "Signature"],
        ["Item", "Qty", "Location", "Checked by"],
        ["Date", "From", "To", "Miles", "Purpose"],
        ["No.", "Name", "Company", "Phone", "Initials"],
        ["Date", "Description", "Amount", "Approved"],
    ))
    weights = [rng.uniform(0.6, 1.6) for _ in heads]
    tot = sum(weights)
    xs = [x0]
    for wgt in weights:
        xs.append(xs[-1] + width * wgt / tot)
    rh = rng.uniform(55, 85) * s
    lw = max(1, int(2 * s))
    f = cv.f(cv.body * 0.9, "b")
    cv.draw.rectangle([x0, y, x0 + width, y + rh], outline=cv.ink, width=lw,
                      fill=(220, 220, 220) if rng.random() < 0.4 else None)
    for c, hd in enumerate(heads):
        cv.text((xs[c] + 8 * s, y + rh / 2), hd, f, anchor="lm")
    y += rh
    printed_first = rng.random() < 0.5
    while y + rh < cv.h - cv.margin:
        for c in range(len(heads)):
            cv.draw.rectangle([xs[c], y, xs[c + 1], y + rh], outline=cv.ink, width=lw)
        for c, hd in enumerate(heads):
            if c == 0 and printed_first:
                cv.text((xs[c] + 8 * s, y + rh / 2), T.fill_value(rng, hd), cv.f(), anchor="lm")
                continue
            kind = "initials" if hd in ("Signature", "Initials", "Approved", "Checked by") \
                else "box"
            cv.slots.append(Slot(kind, (int(xs[c] + 6 * s), int(y + 4 * s), int(xs[c + 1] - 6 * s),
                                        int(y + rh - 4 * s)), hd))
        y += rh
    _footer(cv, rng)


TEMPLATES = {
    "letter": letter,
    "lease": lease,
    "form": form,
    "invoice": invoice,
    "cheque": cheque,
    "note": note,
    "table": table,
}

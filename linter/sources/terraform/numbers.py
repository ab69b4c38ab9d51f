"""Terraform numbers: arbitrary-precision binary floats with a 512-bit mantissa (cty's ``big.Float``).

Policies hold few numbers, but ``"${var.days / 2}"`` and ``jsonencode`` still turn numbers into
text, and Terraform writes ``1/3`` as 155 digits where Python's float would write 17. To give the
same text, numbers are kept as Python ``int`` when integral and otherwise as a ``Fraction`` rounded
to 512 bits after each operation, exactly as cty rounds; text is the shortest decimal that reads
back as the same 512-bit value (Go's ``Text('f', -1)``).
"""

from __future__ import annotations

import re
from fractions import Fraction

PRECISION = 512
# The range why403 evaluates: |x| < 10**1000 and, unless zero, |x| > 10**-1000 (in bits, a little
# wider). Terraform's big floats reach further, but no access decision hangs on such a number,
# and exact arithmetic on ``1e999999999`` would take unbounded time and memory.
MAX_DECIMAL_EXPONENT = 1000
MAX_BITS = 3400
MAX_DIGITS = 5000
_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\Z")


class NumberOutOfRange(ValueError):
    """A number beyond the range why403 evaluates; the value is unknown, with a note saying so."""


def parse_decimal(text: str) -> Num:
    """A decimal number (``12``, ``-1.5e3``) as exact ``int``/512-bit ``Fraction``, refusing one out
    of range *before* computing it. ``ValueError`` when the text is not a number."""
    text = text.strip()  # as Fraction() does
    m = _DECIMAL.match(text)
    if m is None or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a number: {text[:40]!r}")
    whole, frac, exp = m.group(2), m.group(3) or "", m.group(4)
    if len(whole) + len(frac) > MAX_DIGITS:
        raise NumberOutOfRange(f"a number of {len(whole) + len(frac)} digits is more than why403 evaluates")
    # The exponent alone is bounded too: Fraction("0e-1463156") computes 10**1463156.
    if exp is not None and (len(exp.lstrip("+-")) > 7 or abs(int(exp)) > MAX_DECIMAL_EXPONENT + MAX_DIGITS):
        raise NumberOutOfRange(f"the exponent of {text[:40]} is out of the range why403 evaluates")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return 0
    # The decimal exponent of the leading digit.
    lead = len(whole.lstrip("0")) - 1 if whole.lstrip("0") else -(len(frac) - len(frac.lstrip("0")) + 1)
    if abs(lead + (int(exp) if exp else 0)) > MAX_DECIMAL_EXPONENT:
        raise NumberOutOfRange(f"{text[:40]} is out of the range why403 evaluates (10^-1000 to 10^1000)")
    if exp is None and not frac and m.group(3) is None:
        return int(text)
    return norm(Fraction(text))


def exact_decimal(text: str) -> Fraction:
    """``json.loads``'s ``parse_float`` for documents of the tree: the exact value, refused
    (:class:`NumberOutOfRange`, a ``ValueError`` for ``json``) when out of range."""
    if not in_range(text):
        raise NumberOutOfRange(f"{text[:40]} is out of the range why403 evaluates (10^-1000 to 10^1000)")
    return Fraction(text)


def in_range(text: str) -> bool:
    """Whether a number literal is within the range why403 evaluates (checked on the text)."""
    try:
        parse_decimal(text)
    except ValueError:  # out of range, or a form this check cannot vouch for ("1_0e9999999")
        return False
    return True


def check_range(value: Num) -> Num:
    """``value``, or :class:`NumberOutOfRange` when arithmetic left the range."""
    if isinstance(value, int):
        if value.bit_length() > MAX_BITS:
            raise NumberOutOfRange("the result is out of the range why403 evaluates (10^-1000 to 10^1000)")
        return value
    if value and abs(value.numerator.bit_length() - value.denominator.bit_length()) > MAX_BITS:
        raise NumberOutOfRange("the result is out of the range why403 evaluates (10^-1000 to 10^1000)")
    return value

Num = int | Fraction


class NegativeZero(int):
    """Binary floats have a signed zero and Terraform writes it: ``0 * -3`` is ``-0``."""

    def __new__(cls) -> NegativeZero:
        return super().__new__(cls, 0)

    def __repr__(self) -> str:
        return "-0"


NEG_ZERO = NegativeZero()


def negative(x: Num) -> bool:
    """The sign bit: true for negative numbers and for ``-0``."""
    return isinstance(x, NegativeZero) or x < 0


def signed_zero(result: Num, negative_sign: bool) -> Num:
    """``result`` when non-zero; else a zero with the sign IEEE arithmetic gives it."""
    if result != 0:
        return result
    return NEG_ZERO if negative_sign else 0


def norm(value: Num) -> Num:
    """Round to 512 bits; an integral value becomes an ``int``. Out of range: :class:`NumberOutOfRange`."""
    if isinstance(value, int):
        return check_range(value)
    check_range(value)
    if value.denominator == 1:
        return int(value.numerator)
    return round512(value)


def round512(q: Fraction) -> Num:
    if q == 0:
        return 0
    sign = -1 if q < 0 else 1
    a = -q if sign < 0 else q
    num, den = a.numerator, a.denominator
    # Find e with 2**(P-1) <= a / 2**e < 2**P.
    e = num.bit_length() - den.bit_length() - PRECISION
    while True:
        if e >= 0:
            scaled_num, scaled_den = num, den << e
        else:
            scaled_num, scaled_den = num << -e, den
        if scaled_num >= scaled_den << PRECISION:
            e += 1
        elif scaled_num < scaled_den << (PRECISION - 1):
            e -= 1
        else:
            break
    m, rem = divmod(scaled_num, scaled_den)
    twice = rem * 2
    if twice > scaled_den or (twice == scaled_den and m % 2 == 1):
        m += 1
    result = Fraction(m) * (Fraction(2) ** e)
    result = result if sign > 0 else -result
    if result.denominator == 1:
        return int(result.numerator)
    return result


def format_number(value: Num) -> str:
    """Terraform's text for a number: integers in full, others shortest round-trip, never exponent."""
    if isinstance(value, NegativeZero):
        return "-0"
    if isinstance(value, int):
        return str(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    a = -value if value < 0 else value
    target = round512(a)
    # Shortest number of significant digits that reads back as the same 512-bit value.
    exp10 = _decimal_exponent(a)
    for digits in range(1, 170):
        shift = digits - 1 - exp10
        scaled = a * (Fraction(10) ** shift)
        n = round_half_even(scaled)
        candidate = Fraction(n) / (Fraction(10) ** shift)
        if round512(candidate) == target if candidate.denominator != 1 else candidate == target:
            return sign + _plain(n, shift)
    return sign + _plain(round_half_even(a * 10**160), 160)


def _decimal_exponent(a: Fraction) -> int:
    """floor(log10(a)) for a > 0."""
    e = len(str(a.numerator)) - len(str(a.denominator))
    while Fraction(10) ** e > a:
        e -= 1
    while Fraction(10) ** (e + 1) <= a:
        e += 1
    return e


def round_half_even(q: Fraction) -> int:
    n, rem = divmod(q.numerator, q.denominator)
    twice = rem * 2
    if twice > q.denominator or (twice == q.denominator and n % 2 == 1):
        n += 1
    return n


def _plain(n: int, shift: int) -> str:
    """The decimal text of n / 10**shift without exponent or trailing zeros."""
    if shift <= 0:
        return str(n * 10 ** (-shift))
    digits = str(n).rjust(shift + 1, "0")
    whole, frac = digits[:-shift], digits[-shift:].rstrip("0")
    return whole + ("." + frac if frac else "")


def parse_number(text: str) -> Num | None:
    """A number written as text (``tonumber``, string operands of arithmetic), or None."""
    t = text.strip()
    if not t or t != text:
        return None
    try:
        return parse_decimal(t)
    except ValueError:
        return None

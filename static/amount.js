// Read an amount as typed, the same way as subsidy/amounts.py (tests compare the two): "1,200,000", "120万",
// "1.2亿", full-width digits. Money stays integer fen (BigInt); nothing here is a float.
(function () {
  "use strict";
  const MULTIPLIER_DIGITS = { yuan: 0, wan: 4 };
  const SUFFIXES = [["亿元", 8], ["亿", 8], ["万元", 4], ["万", 4], ["元", 0]];
  const PLAIN = /^[0-9]+(\.[0-9]+)?$/;
  const GROUPED = /^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$/;
  const DIGITS = "零壹贰叁肆伍陆柒捌玖";

  function normalise(text) {
    let out = text.normalize("NFKC").trim();
    out = out.replace(/￥/g, "¥").replace(/。/g, ".");
    return out.replace(/[\s\u00a0\u2009\u202f\u3000]+/g, ",");
  }

  // Return {fen: BigInt} or {error: "format" | "negative" | "decimals" | "grouping" | "too_long"}.
  function read(text, unit) {
    if (text.length > 40) return { error: "too_long" };
    let number = normalise(text);
    let digits = MULTIPLIER_DIGITS[unit] || 0;
    if (number.startsWith("¥")) { number = number.slice(1).replace(/^,+/, ""); digits = 0; }
    for (const [suffix, value] of SUFFIXES) {
      if (number.endsWith(suffix)) { number = number.slice(0, -suffix.length).replace(/,+$/, ""); digits = value; break; }
    }
    const negative = number.startsWith("-");
    if (negative) number = number.slice(1);
    if (number.includes(",")) {
      if (!GROUPED.test(number)) return { error: "grouping" };
      number = number.replace(/,/g, "");
    }
    if (!PLAIN.test(number)) return { error: "format" };
    const [whole, fraction = ""] = number.split(".");
    const shift = digits + 2;  // to fen
    const padded = fraction.padEnd(shift, "0");
    if (/[^0]/.test(padded.slice(shift))) return { error: "decimals" };
    const fen = BigInt(whole + padded.slice(0, shift));
    if (negative && fen !== 0n) return { error: "negative" };
    return { fen: fen };
  }

  function yuan(fen) {
    const whole = (fen / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const cents = (fen % 100n).toString().padStart(2, "0");
    return "¥" + whole + "." + cents;
  }

  function group(value) {  // 0 < value < 10000, as 壹仟零伍拾
    const units = ["仟", "佰", "拾", ""];
    const text = value.toString().padStart(4, "0");
    let out = "", zero = false;
    for (let i = 0; i < 4; i++) {
      const d = Number(text[i]);
      if (d === 0) { if (out) zero = true; continue; }
      if (zero) { out += "零"; zero = false; }
      out += DIGITS[d] + units[i];
    }
    return out;
  }

  // The capital form of financial documents, as cn2an writes it (subsidy/money.py to_capital).
  function capital(fen) {
    const jiao = Number((fen / 10n) % 10n), cent = Number(fen % 10n);
    let whole = fen / 100n;
    const groups = [];
    while (whole > 0n) { groups.unshift(Number(whole % 10000n)); whole /= 10000n; }
    let out = "";
    groups.forEach((value, i) => {
      const place = groups.length - 1 - i;
      if (value === 0) return;
      if (out && value < 1000) out += "零";  // as cn2an: 零 only before a group that starts below 仟
      // As cn2an: the group above 亿 is 万, and says 亿 itself only when the 亿 group is empty (壹万亿, 壹万贰仟亿).
      out += group(value) + ["", "万", "亿", groups[groups.length - 3] === 0 ? "万亿" : "万"][place];
    });
    if (!out) return jiao || cent ? (jiao ? DIGITS[jiao] + "角" : "") + (cent ? DIGITS[cent] + "分" : "") : "零元整";
    out += "元";
    if (!jiao && !cent) return out + "整";
    if (jiao) return out + DIGITS[jiao] + "角" + (cent ? DIGITS[cent] + "分" : "");
    return out + "零" + DIGITS[cent] + "分";
  }

  window.SubsidyAmount = { read: read, yuan: yuan, capital: capital };
})();

//! The numbering plans as data: which leading digits take how many digits, and which
//! rule a number of each block is reported under.
//!
//! Japan (総務省 電気通信番号計画): after the trunk prefix `0` a national number has 9
//! digits for geographic numbers (`0` + area code of 1–4 digits + subscriber number,
//! ten digits in all: `03-1234-5678`, `0776-32-4649`, `01547-9-7946`), for free dial
//! `0120` and navi-dial `0570` (`0120-123-456`); and 10 digits for mobiles
//! (`070`/`080`/`090`), IP phones (`050`), free dial `0800`, M2M (`020`) and FMC
//! (`060`). [`JAPAN`] holds that structure, longest prefix first where one prefix
//! begins another (`800` before `80` before `8`), the first block of the number's
//! length deciding; within a block, the allocation of
//! area codes and subscriber ranges is libphonenumber's metadata (the `phonenumber`
//! crate), checked by [`national_number_is_valid`].
//!
//! Other countries: a number written in E.164 form, `+` then a country code of 1–3
//! digits and at most [`E164_MAX_DIGITS`] digits in all (`+1 415 555 0132`,
//! `+49 30 1234567`), is valid when libphonenumber's metadata for its country says so.

/// One block of the Japanese plan: national numbers (after the trunk `0`) that start
/// with `prefix` have exactly `digits` digits and are reported under `rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// Leading digits of the national number, trunk `0` left off.
    pub prefix: &'static str,
    /// Length of the national number, trunk `0` left off.
    pub digits: usize,
    /// The rule a finding of this block names (`phone.jp.mobile`, …).
    pub rule: &'static str,
}

const fn block(prefix: &'static str, digits: usize, rule: &'static str) -> Block {
    Block {
        prefix,
        digits,
        rule,
    }
}

/// Rule of a geographic (fixed-line) number.
pub(crate) const FIXED: &str = "phone.jp.fixed";
/// Rule of a mobile number.
pub(crate) const MOBILE: &str = "phone.jp.mobile";
/// Rule of a toll-free number (フリーダイヤル, フリーコール).
pub(crate) const TOLL_FREE: &str = "phone.jp.toll_free";
/// Rule of a number written in E.164 form with a country code other than 81.
pub(crate) const FOREIGN: &str = "phone.foreign";

/// The Japanese numbering plan by leading digits, longest prefix first where one
/// prefix begins another. The first block whose prefix starts a number decides its
/// length and rule.
pub(crate) const JAPAN: &[Block] = &[
    block("120", 9, TOLL_FREE),            // 0120-123-456
    block("120", 10, TOLL_FREE),           // 0120-1234-567 (in libphonenumber's metadata)
    block("800", 10, TOLL_FREE),           // 0800-123-4567
    block("570", 9, "phone.jp.navi_dial"), // 0570-123-456
    block("990", 9, "phone.jp.premium"),   // 0990-123-456
    block("20", 10, "phone.jp.m2m"),       // 020-1234-5678
    block("50", 10, "phone.jp.ip"),        // 050-1234-5678
    block("60", 10, "phone.jp.fmc"),       // 060-1234-5678
    block("70", 10, MOBILE),               // 070-1234-5678
    block("80", 10, MOBILE),               // 080-1234-5678
    block("90", 10, MOBILE),               // 090-1234-5678
    block("1", 9, FIXED),                  // 011-234-5678, 01547-9-7946
    block("2", 9, FIXED),                  // 022-123-4567
    block("3", 9, FIXED),                  // 03-1234-5678
    block("4", 9, FIXED),                  // 045-123-4567
    block("5", 9, FIXED),                  // 052-123-4567
    block("6", 9, FIXED),                  // 06-1234-5678
    block("7", 9, FIXED),                  // 075-123-4567
    block("8", 9, FIXED),                  // 082-123-4567
    block("9", 9, FIXED),                  // 092-123-4567
];

/// Most digits an E.164 number has, country code included (ITU-T E.164 §6).
pub(crate) const E164_MAX_DIGITS: usize = 15;
/// Fewest digits a foreign number is taken from, country code included: shorter runs
/// after a `+` are changes and scores (`+12 345`), not phones.
pub(crate) const E164_MIN_DIGITS: usize = 9;

/// The block of the Japanese plan a national number (trunk `0` left off) belongs to,
/// when it has that block's length and is allocated.
pub(crate) fn japanese_block(national: &str) -> Option<&'static Block> {
    // Blocks may share leading digits at different lengths (`60…`: FMC numbers have
    // 10 digits, Osaka's `06-0…` 9), so the first block of the right length wins.
    let b = JAPAN
        .iter()
        .find(|b| national.len() == b.digits && national.starts_with(b.prefix))?;
    national_number_is_valid(national).then_some(b)
}

/// Whether `digits` (country code first, no `+`, country code not 81) is a valid
/// number of its country.
pub(crate) fn foreign_number_is_valid(digits: &str) -> bool {
    if !(E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&digits.len()) || digits.starts_with("81") {
        return false;
    }
    let mut e164 = String::with_capacity(digits.len() + 1);
    e164.push('+');
    e164.push_str(digits);
    phonenumber::parse(None, &e164).is_ok_and(|n| phonenumber::is_valid(&n))
}

/// Whether `national` (digits after the trunk prefix, never starting with 0) is an
/// allocated Japanese number. This is libphonenumber's own test — `is_valid` holds when
/// the number has a type — applied to the crate's Japanese metadata directly:
/// `phonenumber::parse` would first re-normalize digits the detector has already
/// normalized, and with `is_valid` it cost 1.8 µs per number on warm caches and 26 µs
/// on cold ones (this: 0.3 µs and 7 µs). A test checks both agree.
pub(crate) fn national_number_is_valid(national: &str) -> bool {
    use phonenumber::Type;
    /// Every type `is_valid` accepts (all but `Unknown`; the others are not in the plan).
    const TYPES: [Type; 10] = [
        Type::PremiumRate,
        Type::TollFree,
        Type::SharedCost,
        Type::Voip,
        Type::PersonalNumber,
        Type::Pager,
        Type::Uan,
        Type::Voicemail,
        Type::FixedLine,
        Type::Mobile,
    ];
    let Some(jp) = phonenumber::metadata::DATABASE.by_id("JP") else {
        return false;
    };
    let d = jp.descriptors();
    d.general().is_match(national)
        && TYPES
            .iter()
            .any(|t| d.get(*t).is_some_and(|x| x.is_match(national)))
}

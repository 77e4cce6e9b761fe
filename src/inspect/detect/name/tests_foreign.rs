//! Table tests of the foreign residents' name passes (`name.latin_listed`, `name.hangul`):
//! invented names in the formats staff paste, and hard negatives (English headings,
//! companies, places, Korean words). Each case asserts the span and the pass.

use super::NameDetector;
use crate::inspect::detect::Detector;
use crate::inspect::{Document, Tokenizer};

/// (name, pass) of every name found in `text` (normalized text).
fn found(det: &NameDetector, tok: &Tokenizer, text: &str) -> Vec<(String, &'static str)> {
    let doc = Document::new(text, tok);
    let mut out = Vec::new();
    det.detect(&doc, &mut out);
    out.iter()
        .map(|f| (doc.text()[f.range.clone()].to_string(), f.detector))
        .collect()
}

/// Checks each `(text, expected (name, pass) pairs)`; passes other than the two foreign
/// ones are named too, so a case also shows which older pass found a name.
fn check(cases: &[(&str, &[(&str, &str)])]) {
    let tok = Tokenizer::new(&[]).unwrap();
    let det = NameDetector::new();
    let mut failures = Vec::new();
    for (text, want) in cases {
        let got = found(&det, &tok, text);
        let want: Vec<(String, &str)> = want.iter().map(|(n, p)| (n.to_string(), *p)).collect();
        if got != want {
            failures.push(format!("{text}\n   expected {want:?}\n   got      {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const L: &str = "name.latin_listed";
const H: &str = "name.hangul";

#[test]
fn latin_names_of_listed_parts() {
    check(&[
        // Vietnamese, family name first, with and without diacritics, all capitals.
        ("相談者はTran Van Minhです。", &[("Tran Van Minh", L)]),
        (
            "Nguyen Thi Lan came to the office today.",
            &[("Nguyen Thi Lan", L)],
        ),
        ("転入届 Lê Thị Hồng 1990年生", &[("Lê Thị Hồng", L)]),
        ("NGUYEN VAN AN,090-1234-5678", &[("NGUYEN VAN AN", L)]),
        ("Đặng Quốc Huy の在留カード", &[("Đặng Quốc Huy", L)]),
        // Brazilian and Filipino, given names first, particles inside.
        ("SOUZA MARIA LUCIA 様の件", &[("SOUZA MARIA LUCIA", L)]),
        ("Ana Rose Dela Paz の申請", &[("Ana Rose Dela Paz", L)]),
        (
            "Falei com Ana Paula da Silva ontem.",
            &[("Ana Paula da Silva", L)],
        ),
        // Nepali, Indonesian, Chinese (pinyin), Korean (hyphenated and joined).
        (
            "Ram Bahadur Shrestha has moved.",
            &[("Ram Bahadur Shrestha", L)],
        ),
        ("Budi Santoso datang", &[("Budi Santoso", L)]),
        // An everyday word with a part of its community.
        ("Grace Santos の件", &[("Grace Santos", L)]),
        ("担当 WANG Xiaoming 氏", &[("WANG Xiaoming", L)]),
        ("Kim Min-jun の保護者", &[("Kim Min-jun", L)]),
        ("PARK Seoyeon 090-1234-5678", &[("PARK Seoyeon", L)]),
        // Full-width Latin, folded by the normalization.
        ("Ｍａｒｙ　Ｂｒｏｗｎ様", &[("Mary Brown", "name.latin")]),
        // Japanese in romaji, surname first, Title case.
        ("Sato Haruka の件で", &[("Sato Haruka", L)]),
        // Family name, comma, given names.
        ("SANTOS, Maria Clara", &[("SANTOS, Maria Clara", L)]),
        // A greeting or title before is cut off.
        ("Dear Maria Santos,", &[("Maria Santos", "name.romaji")]),
        ("Dear Nguyen Thi Lan,", &[("Nguyen Thi Lan", L)]),
        ("Hello Nguyen Thi Lan", &[("Nguyen Thi Lan", L)]),
    ]);
}

#[test]
fn latin_names_with_cues_and_initials() {
    check(&[
        // One listed part and a cue.
        ("Name: Batbayar Oyun", &[("Batbayar Oyun", L)]),
        (
            "氏名: Rosa Quintanilla",
            &[("Rosa Quintanilla", "name.romaji")],
        ),
        (
            "Mr. Tanaka Kenzaburo",
            &[("Tanaka Kenzaburo", "name.romaji")],
        ),
        (
            "Applicant: Quintanilla Rosa Maria",
            &[("Quintanilla Rosa Maria", L)],
        ),
        ("Sra. Lucia Mendonça", &[("Lucia Mendonça", L)]),
        ("Huang Zixuan さんから電話", &[("Huang Zixuan", L)]),
        // An initial and a listed family name.
        ("T. Nakano に連絡", &[("T. Nakano", L)]),
        // A title of address and one listed name.
        ("Dear Ms. Oliveira,", &[("Oliveira", L)]),
        ("Dear Team,", &[]),
        ("Mr. Smartphone", &[]),
        ("Please ask M. Santos.", &[("M. Santos", L)]),
    ]);
}

#[test]
fn latin_hard_negatives() {
    check(&[
        ("Please Send The Report by Friday.", &[]),
        ("Toyota Motor の決算", &[]),
        ("Nova Scotia への旅行", &[]),
        ("San Francisco office", &[]),
        ("Ho Chi Minh City に出張", &[]),
        ("Arena Ide で開催", &[]),
        ("Nara Park の鹿", &[]),
        ("Minato Mirai の夜景", &[]),
        ("Grace Period", &[]),
        ("Lee Kum Kee のソース", &[]),
        ("Samsung Galaxy", &[]),
        ("Da Nang の空港", &[]),
        ("Long An province", &[]),
        ("Hong Kong 支店", &[]),
        ("Monday Morning Meeting", &[]),
        ("Project Manager の募集", &[]),
        ("NHK WORLD で放送", &[]),
        ("IT HR 部門", &[]),
        ("Black Rose というバンド", &[]),
        ("Rua Santos Dumont 123", &[]),
        ("maria.santos@example.com に送付", &[]),
        ("Maria_Santos.pdf を添付", &[]),
        ("Minami Aoyama の店舗", &[]),
        ("Jung-gu Seoul", &[]),
        ("Bom Dia a todos", &[]),
        ("Xin chào các bạn", &[]),
        ("Kind Regards", &[]),
        ("U.S. Army の基地", &[]),
    ]);
}

#[test]
fn hangul_names() {
    check(&[
        ("申請者 김민준 の件", &[("김민준", H)]),
        ("世帯主：이서연（35）", &[("이서연", H)]),
        ("박지훈 씨가 방문했습니다", &[("박지훈", H)]),
        ("최유나님 안녕하세요", &[("최유나", H)]),
        ("이름: 정하은", &[("정하은", H)]),
        ("1,남궁민수,090-1234-5678", &[("남궁민수", H)]),
        // Korean prose elsewhere in the line: the cue is the label or the honorific.
        (
            "韓国語の手紙を訳して。差出人は윤지아（ユン・ジア）さん",
            &[("윤지아", H), ("ユン・ジア", "name.katakana")],
        ),
    ]);
}

#[test]
fn hangul_hard_negatives() {
    check(&[
        ("안녕하세요", &[]),
        ("한국어の授業", &[]),
        ("감사합니다", &[]),
        ("오늘 날씨가 좋네요", &[]),
        ("韓国語で「고마워」は「ありがとう」", &[]),
        ("이름을 적어 주세요", &[]),
        ("정보 공개", &[]),
    ]);
}

#[test]
fn names_in_forms_rows_and_sentences() {
    check(&[
        (
            "Nome: Maria Aparecida Souza",
            &[("Maria Aparecida Souza", L)],
        ),
        (
            "A senhora Francisca Ferreira Lima mora aqui.",
            &[("Francisca Ferreira Lima", L)],
        ),
        ("Họ tên: Phạm Thị Thu Trang", &[("Phạm Thị Thu Trang", L)]),
        ("Nama: Siti Nurhaliza", &[("Siti Nurhaliza", L)]),
        ("| 1 | Joo Hyun-woo | 3 |", &[("Joo Hyun-woo", L)]),
        (
            "Contact Li Wei or Zhang Min for details.",
            &[("Li Wei", L), ("Zhang Min", L)],
        ),
        // A name column header is the column pass's evidence.
        (
            "No,Name,Phone\n1,Rajesh Gurung,090-1111-2222",
            &[("Rajesh Gurung", "name.column")],
        ),
        // Companies and streets named after persons or places.
        ("Thomas Cook Travel", &[]),
        ("Jose Rizal Avenue", &[]),
        ("Vietnam Airlines", &[]),
    ]);
}

//! Tests of the authorization details values: RFC 9396's examples as
//! vectors, every rule's refusal, the builder and the stored form.

use super::*;
use alloc::format;
use alloc::string::ToString;

/// RFC 9396 §2, Figure 1: a payment initiation.
const PAYMENT_INITIATION: &str = r#"[
   {
      "type": "payment_initiation",
      "actions": [
         "initiate",
         "status",
         "cancel"
      ],
      "locations": [
         "https://example.com/payments"
      ],
      "instructedAmount": {
         "currency": "EUR",
         "amount": "123.50"
      },
      "creditorName": "Merchant A",
      "creditorAccount": {
         "iban": "DE02100100109307118603"
      },
      "remittanceInformationUnstructured": "Ref Number Merchant"
   }
]"#;

/// RFC 9396 §2.2 (Figure 3, the account information and payment
/// initiation objects of one request, Figure 4's common fields).
const MULTIPLE: &str = r#"[
   {
      "type": "account_information",
      "actions": [
         "list_accounts",
         "read_balances",
         "read_transactions"
      ],
      "locations": [
         "https://example.com/accounts"
      ]
   },
   {
      "type": "payment_initiation",
      "actions": [
         "initiate",
         "status",
         "cancel"
      ],
      "locations": [
         "https://example.com/payments"
      ],
      "instructedAmount": {
         "currency": "EUR",
         "amount": "123.50"
      },
      "creditorName": "Merchant A",
      "creditorAccount": {
         "iban": "DE02100100109307118603"
      },
      "remittanceInformationUnstructured": "Ref Number Merchant"
   }
]"#;

/// RFC 9396 §2.2, Figure 5: every common data field.
const COMMON_FIELDS: &str = r#"[
   {
      "type": "customer_information",
      "locations": [
         "https://example.com/customers"
      ],
      "actions": [
         "read",
         "write"
      ],
      "datatypes": [
         "contacts",
         "photos"
      ],
      "identifier": "9875",
      "privileges": ["admin"]
   }
]"#;

#[test]
fn payment_initiation_example_reads_every_field() {
    let details = AuthorizationDetails::from_json(PAYMENT_INITIATION).unwrap();
    assert_eq!(details.len(), 1);
    let payment = &details.as_slice()[0];
    assert_eq!(payment.detail_type(), "payment_initiation");
    assert_eq!(payment.actions(), ["initiate", "status", "cancel"]);
    assert_eq!(payment.locations(), ["https://example.com/payments"]);
    assert!(payment.datatypes().is_empty());
    assert!(payment.privileges().is_empty());
    assert_eq!(payment.identifier(), None);
    assert_eq!(
        payment.member("instructedAmount").unwrap().to_json(),
        r#"{"amount":"123.50","currency":"EUR"}"#
    );
    assert_eq!(payment.member("creditorName").unwrap(), "Merchant A");
    assert_eq!(
        payment
            .member("remittanceInformationUnstructured")
            .unwrap()
            .as_str(),
        Some("Ref Number Merchant")
    );
    assert_eq!(
        payment.members().names().collect::<Vec<_>>(),
        [
            "creditorAccount",
            "creditorName",
            "instructedAmount",
            "remittanceInformationUnstructured"
        ]
    );
    // The object's text exactly as received, whitespace and order kept.
    let start = PAYMENT_INITIATION.find('{').unwrap();
    let end = PAYMENT_INITIATION.rfind('}').unwrap();
    assert_eq!(payment.json(), &PAYMENT_INITIATION[start..=end]);
}

#[test]
fn multiple_details_keep_their_order_and_their_text() {
    let details = AuthorizationDetails::from_json(MULTIPLE).unwrap();
    assert_eq!(
        details.types().collect::<Vec<_>>(),
        ["account_information", "payment_initiation"]
    );
    let accounts = &details.as_slice()[0];
    assert_eq!(
        accounts.actions(),
        ["list_accounts", "read_balances", "read_transactions"]
    );
    assert_eq!(accounts.locations(), ["https://example.com/accounts"]);
    assert!(accounts.members().is_empty());
    let payment = &details.as_slice()[1];
    assert_eq!(payment.detail_type(), "payment_initiation");
    assert_eq!(
        payment.member("creditorAccount").unwrap().to_json(),
        r#"{"iban":"DE02100100109307118603"}"#
    );
    // The array again: each object exactly as received, joined by commas.
    let again = AuthorizationDetails::from_json(&details.to_json()).unwrap();
    assert_eq!(again, details);
    assert!(details
        .to_json()
        .starts_with("[{\n      \"type\": \"account_information\""));
}

#[test]
fn every_common_field_is_typed() {
    let details = AuthorizationDetails::from_json(COMMON_FIELDS).unwrap();
    let customer = &details.as_slice()[0];
    assert_eq!(customer.detail_type(), "customer_information");
    assert_eq!(customer.locations(), ["https://example.com/customers"]);
    assert_eq!(customer.actions(), ["read", "write"]);
    assert_eq!(customer.datatypes(), ["contacts", "photos"]);
    assert_eq!(customer.identifier(), Some("9875"));
    assert_eq!(customer.privileges(), ["admin"]);
    assert!(customer.members().is_empty());
}

#[test]
fn an_empty_array_is_no_details() {
    let details = AuthorizationDetails::from_json("[]").unwrap();
    assert!(details.is_empty());
    assert_eq!(details.to_json(), "[]");
}

#[test]
fn refuses_what_is_not_an_array_of_objects() {
    for json in [
        "",
        "{}",
        r#"{"type":"a"}"#,
        r#""[{\"type\":\"a\"}]""#,
        "[1]",
        r#"["payment_initiation"]"#,
        "[null]",
        "[[]]",
        r#"[{"type":"a"}"#,
        r#"[{"type":"a"}] x"#,
        r#"[{"type":"a","type":"b"}]"#,
        r#"[{"type":"a","x":1,"x":2}]"#,
    ] {
        assert_eq!(
            AuthorizationDetails::from_json(json),
            Err(InvalidValue::AuthorizationDetailsMalformed),
            "{json}"
        );
    }
}

#[test]
fn refuses_an_object_without_a_string_type() {
    for json in [
        "[{}]",
        r#"[{"type":""}]"#,
        r#"[{"type":null}]"#,
        r#"[{"type":7}]"#,
        r#"[{"type":["a"]}]"#,
        r#"[{"Type":"a"}]"#,
        r#"[{"type":"a"},{"actions":["read"]}]"#,
    ] {
        assert_eq!(
            AuthorizationDetails::from_json(json),
            Err(InvalidValue::AuthorizationDetailType),
            "{json}"
        );
    }
}

#[test]
fn refuses_common_fields_of_another_type() {
    for (json, member) in [
        (r#"[{"type":"a","locations":"https://x"}]"#, "locations"),
        (r#"[{"type":"a","actions":[1]}]"#, "actions"),
        (r#"[{"type":"a","actions":null}]"#, "actions"),
        (r#"[{"type":"a","datatypes":{"x":1}}]"#, "datatypes"),
        (r#"[{"type":"a","identifier":9875}]"#, "identifier"),
        (r#"[{"type":"a","identifier":["x"]}]"#, "identifier"),
        (r#"[{"type":"a","privileges":[["admin"]]}]"#, "privileges"),
    ] {
        assert_eq!(
            AuthorizationDetails::from_json(json),
            Err(InvalidValue::AuthorizationDetailMember(member)),
            "{json}"
        );
    }
}

#[test]
fn caps_size_and_count() {
    // One object: exactly the cap is read, one byte more is not.
    let frame = r#"{"type":"a","x":""}"#.len();
    let at_cap = format!(
        r#"{{"type":"a","x":"{}"}}"#,
        "y".repeat(MAX_AUTHORIZATION_DETAILS_BYTES - frame)
    );
    assert_eq!(at_cap.len(), MAX_AUTHORIZATION_DETAILS_BYTES);
    assert_eq!(
        AuthorizationDetail::from_json(&at_cap)
            .unwrap()
            .detail_type(),
        "a"
    );
    let over = format!("{at_cap} ");
    assert_eq!(
        AuthorizationDetail::from_json(&over),
        Err(InvalidValue::AuthorizationDetailsTooLarge {
            limit: MAX_AUTHORIZATION_DETAILS_BYTES
        })
    );
    let big = format!(
        r#"[{{"type":"a","x":"{}"}}]"#,
        "y".repeat(MAX_AUTHORIZATION_DETAILS_BYTES)
    );
    assert_eq!(
        AuthorizationDetails::from_json(&big),
        Err(InvalidValue::AuthorizationDetailsTooLarge {
            limit: MAX_AUTHORIZATION_DETAILS_BYTES
        })
    );
    // The list: exactly the byte cap and exactly the count are read.
    let list_frame = r#"[{"type":"a","x":""}]"#.len();
    let list_at_cap = format!(
        r#"[{{"type":"a","x":"{}"}}]"#,
        "y".repeat(MAX_AUTHORIZATION_DETAILS_BYTES - list_frame)
    );
    assert_eq!(list_at_cap.len(), MAX_AUTHORIZATION_DETAILS_BYTES);
    assert_eq!(
        AuthorizationDetails::from_json(&list_at_cap).unwrap().len(),
        1
    );
    let full = format!(
        "[{}]",
        alloc::vec![r#"{"type":"a"}"#; MAX_AUTHORIZATION_DETAILS].join(",")
    );
    assert_eq!(
        AuthorizationDetails::from_json(&full).unwrap().len(),
        MAX_AUTHORIZATION_DETAILS
    );
    let many = format!(
        "[{}]",
        alloc::vec![r#"{"type":"a"}"#; MAX_AUTHORIZATION_DETAILS + 1].join(",")
    );
    assert_eq!(
        AuthorizationDetails::from_json(&many),
        Err(InvalidValue::TooManyAuthorizationDetails {
            limit: MAX_AUTHORIZATION_DETAILS
        })
    );
    let mut details = AuthorizationDetails::new();
    let one = AuthorizationDetail::builder("a").build().unwrap();
    for _ in 0..MAX_AUTHORIZATION_DETAILS {
        details.push(one.clone()).unwrap();
    }
    assert_eq!(
        details.push(one),
        Err(InvalidValue::TooManyAuthorizationDetails {
            limit: MAX_AUTHORIZATION_DETAILS
        })
    );
    assert_eq!(details.len(), MAX_AUTHORIZATION_DETAILS);
}

#[test]
fn the_builder_writes_type_first_and_reads_back() {
    let detail = AuthorizationDetail::builder("customer_information")
        .location("https://example.com/customers")
        .action("read")
        .action("write")
        .datatype("contacts")
        .identifier("9875")
        .privilege("admin")
        .member("active", true)
        .member("limit", 5_u64)
        .member_json("filter", r#"{"since": "2024-01-01"}"#)
        .build()
        .unwrap();
    assert_eq!(
        detail.json(),
        r#"{"type":"customer_information","locations":["https://example.com/customers"],"actions":["read","write"],"datatypes":["contacts"],"identifier":"9875","privileges":["admin"],"active":true,"filter":{"since": "2024-01-01"},"limit":5}"#
    );
    assert_eq!(detail.actions(), ["read", "write"]);
    assert_eq!(detail.identifier(), Some("9875"));
    assert_eq!(
        detail.member("limit").and_then(MemberValue::as_u64),
        Some(5)
    );
    assert_eq!(
        AuthorizationDetail::from_json(detail.json()).unwrap(),
        detail
    );
    // Text is escaped as JSON: quotes and control characters cannot break
    // out of their string.
    let tricky = AuthorizationDetail::builder("a\"}],\n")
        .identifier("\u{0}")
        .build()
        .unwrap();
    assert_eq!(tricky.detail_type(), "a\"}],\n");
    assert_eq!(tricky.identifier(), Some("\u{0}"));
}

#[test]
fn the_builder_refuses_what_the_parser_would() {
    assert_eq!(
        AuthorizationDetail::builder("").build(),
        Err(InvalidValue::AuthorizationDetailType)
    );
    assert_eq!(
        AuthorizationDetail::builder("a")
            .member("actions", "read")
            .build(),
        Err(InvalidValue::AuthorizationDetailMember("actions"))
    );
    assert_eq!(
        AuthorizationDetail::builder("a")
            .member("type", "b")
            .build(),
        Err(InvalidValue::AuthorizationDetailMember("type"))
    );
    assert_eq!(
        AuthorizationDetail::builder("a")
            .member_json("x", "{")
            .build(),
        Err(InvalidValue::AuthorizationDetailsMalformed)
    );
    assert_eq!(
        AuthorizationDetail::builder("a")
            .member_json("x", "1 2")
            .build(),
        Err(InvalidValue::AuthorizationDetailsMalformed)
    );
    assert_eq!(
        AuthorizationDetail::builder("a")
            .member("x", 1_u64)
            .member("x", 2_u64)
            .build(),
        Err(InvalidValue::AuthorizationDetailsMalformed)
    );
}

#[test]
fn stored_as_the_text_of_the_array() {
    let details = AuthorizationDetails::from_json(MULTIPLE).unwrap();
    let stored = serde_json::to_string(&details).unwrap();
    let expected = serde_json::to_string(&details.to_json()).unwrap();
    assert_eq!(stored, expected);
    let back: AuthorizationDetails = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, details);
    assert_eq!(back.as_slice()[1].json(), details.as_slice()[1].json());
    // A stored value is checked as a received one.
    assert!(serde_json::from_str::<AuthorizationDetails>(r#""[{}]""#).is_err());
    assert!(serde_json::from_str::<AuthorizationDetails>(r#"[{"type":"a"}]"#).is_err());
}

#[test]
fn debug_escapes_and_hides_the_type_s_own_members() {
    let details = AuthorizationDetails::from_json(
        r#"[{"type":"evil\u001b[31m\u202e","actions":["r\nw"],"iban":"DE02100100109307118603"}]"#,
    )
    .unwrap();
    let debug = format!("{details:?}");
    assert!(!debug.contains('\u{1b}'), "{debug}");
    assert!(!debug.contains('\u{202e}'), "{debug}");
    assert!(!debug.contains('\n'), "{debug}");
    assert!(debug.contains(r#""evil\u{1b}[31m\u{202e}""#), "{debug}");
    assert!(debug.contains("iban"), "{debug}");
    assert!(!debug.contains("DE02100100109307118603"), "{debug}");
}

#[test]
fn unsupported_type_names_the_first_unlisted() {
    let details = AuthorizationDetails::from_json(MULTIPLE).unwrap();
    assert_eq!(unsupported_type(&details, None), None);
    let listed = [
        "account_information".to_string(),
        "payment_initiation".to_string(),
    ];
    assert_eq!(unsupported_type(&details, Some(&listed)), None);
    assert_eq!(
        unsupported_type(&details, Some(&listed[..1])),
        Some("payment_initiation")
    );
    assert_eq!(
        unsupported_type(&details, Some(&[])),
        Some("account_information")
    );
}

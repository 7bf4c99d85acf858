//! The OpenAPI document against the server it describes: the router's real routes under /api
//! are exactly the documented operations, and every status and content type the API answers
//! with, for callers with and without a token or a partner and for good and bad input, is
//! documented for that operation.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const METHODS: [&str; 9] = ["get", "head", "delete", "options", "patch", "post", "put", "trace", "connect"];

/// Every (path, method) the router serves, read from the router itself.
///
/// axum lists no routes, but its `Debug` output holds each route's path and the methods its
/// `MethodRouter` has. The reading is checked below (the page and health routes must show
/// up), so a change in that output fails this test loudly instead of passing it emptily.
fn routes_of(router: &axum::Router) -> BTreeSet<(String, String)> {
    let text = format!("{router:?}");
    let mut routes = BTreeSet::new();
    // A router holds two path routers (its routes and its fallbacks), each numbering its
    // route ids from 0: read each on its own, or ids collide and the answer depends on the
    // order their hash maps print in.
    for path_router in text.split("PathRouter {").skip(1) {
        routes.extend(routes_of_path_router(path_router));
    }
    routes
}

fn routes_of_path_router(text: &str) -> BTreeSet<(String, String)> {
    let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
    let mut methods: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for part in text.split("RouteId(").skip(1) {
        let Some((id, rest)) = part.split_once(')') else { continue };
        if let Some(path) = rest.strip_prefix(": \"").and_then(|r| r.split('"').next()) {
            paths.insert(id, path);
        } else if let Some(body) = rest.strip_prefix(": MethodRouter(MethodRouter { ") {
            let present = body
                .split(", ")
                .map_while(|field| field.split_once(": "))
                .take_while(|(name, _)| METHODS.contains(name))
                .filter(|(_, endpoint)| *endpoint != "None")
                .map(|(name, _)| name)
                .collect();
            methods.insert(id, present);
        }
    }
    let mut routes = BTreeSet::new();
    for (id, path) in paths {
        for method in methods.get(id).into_iter().flatten() {
            routes.insert((path.to_owned(), (*method).to_owned()));
        }
    }
    routes
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys().filter(|m| METHODS.contains(&m.as_str())) {
            ops.insert((path.clone(), method.clone()));
        }
    }
    ops
}

async fn the_document_lists_exactly_the_routes_the_router_serves(db: TestDb) {
    let app = spawn(db).await;
    let (status, doc) = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let router = tend_web::router(tend_web::AppState::new(app.ctx.clone(), tend_web::WebConfig::default()));
    let served = routes_of(&router);
    for sure in [("/healthz", "get"), ("/today", "get"), ("/api/v1/me", "patch"), ("/api/v1/openapi.json", "get")] {
        assert!(
            served.contains(&(sure.0.to_owned(), sure.1.to_owned())),
            "the router's routes could not be read: {sure:?} missing from {served:?}"
        );
    }
    let api: BTreeSet<_> = served.into_iter().filter(|(path, _)| path.starts_with("/api/")).collect();
    let documented = documented(&doc);
    let undocumented: Vec<_> = api.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&api).collect();
    assert!(undocumented.is_empty(), "routes without documentation: {undocumented:?}");
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");
    assert!(api.len() > 60, "{} API routes", api.len());
}

async fn the_document_describes_errors_and_limits(db: TestDb) {
    let app = spawn(db).await;
    let (_, doc) = app.api().get("/api/v1/openapi.json").await;
    let shared = &doc["components"]["responses"];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            for (status, response) in responses {
                let response = match response["$ref"].as_str() {
                    Some(r) => &shared[r.rsplit('/').next().expect("name")],
                    None => response,
                };
                if status.starts_with('4') || status.starts_with('5') {
                    let content: Vec<&String> = response["content"].as_object().expect("content").keys().collect();
                    assert_eq!(content, ["application/problem+json"], "{method} {path} {status}");
                }
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            assert!(!secured || responses.contains_key("401"), "{method} {path} needs a token but lacks 401");
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path} lacks {status}");
                }
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    assert!(schemas.get("AnswerBody").is_none(), "one name, one type");
    assert_eq!(schemas["ListeningAnswerBody"]["properties"]["verdict"]["enum"], json!(["got-it", "not-quite"]));
    assert!(schemas["QuestionAnswerBody"]["properties"]["pass"].is_object());
    assert_eq!(
        schemas["AppreciationBody"]["properties"]["kind"]["enum"],
        json!(["gratitude", "respect", "admiration"])
    );
    assert_eq!(schemas["AppreciationBody"]["properties"]["body"]["minLength"], json!(1));
    assert_eq!(
        schemas["AppreciationBody"]["properties"]["body"]["maxLength"],
        json!(tend_domain::appreciation::BODY_MAX)
    );
    assert_eq!(
        (
            schemas["FeltBody"]["properties"]["accepted"]["minimum"].as_i64(),
            schemas["FeltBody"]["properties"]["accepted"]["maximum"].as_i64()
        ),
        (Some(1), Some(7))
    );
    assert_eq!(
        schemas["AppreciationView"]["properties"]["reaction"]["enum"],
        json!(["love", "hug", "smile", "moved", null]),
        "a nullable field takes null too"
    );
    let page = doc["paths"]["/api/v1/appreciations"]["get"]["parameters"]
        .as_array()
        .expect("params")
        .iter()
        .find(|p| p["name"] == "page")
        .expect("page")
        .clone();
    assert_eq!((page["in"].as_str(), page["schema"]["type"].as_str()), (Some("query"), Some("integer")));
    let start = &doc["paths"]["/api/v1/conversations"]["post"]["responses"];
    assert!(start["200"].is_object() && start["201"].is_object(), "joining answers 200, starting 201");

    // Every limit names a field that exists.
    let openapi = tend_web::api::v1::routes().into_openapi();
    assert_eq!(tend_web::api::doc::unapplied_limits(&openapi), Vec::<String>::new());
}

/// A value that fits `schema`, as a client that read the document would send.
fn example(schema: &Value, doc: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().expect("name");
        return example(&doc["components"]["schemas"][name], doc);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.iter().find(|v| !v.is_null())) {
        return first.clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    match types.iter().find(|t| **t != "null").copied() {
        Some("integer") => schema["minimum"].as_i64().map_or(json!(1), |m| json!(m.max(1))),
        Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("string") if schema["format"] == "date" => json!("2026-03-10"),
        Some("string") => {
            let min = schema["minLength"].as_u64().unwrap_or(0);
            json!(if min > 11 { "w".repeat(usize::try_from(min).unwrap_or(12)) } else { "probe words".to_owned() })
        }
        _ => {
            let props = schema["properties"].as_object().cloned().unwrap_or_default();
            Value::Object(props.iter().map(|(k, v)| (k.clone(), example(v, doc))).collect())
        }
    }
}

struct Sent {
    status: StatusCode,
    content_type: String,
}

async fn send(app: &TestApp, token: Option<&str>, method: &str, path: &str, body: Option<(&str, String)>) -> Sent {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some((content_type, body)) = body {
        req = req.header("content-type", content_type).body(body);
    }
    let response = req.send().await.expect("send");
    // The event stream never ends; its headers are all there is to check.
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    Sent { status: response.status(), content_type: content_type.split(';').next().unwrap_or("").trim().to_owned() }
}

async fn every_answer_the_api_gives_is_documented(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (_, doc) = app.api().get("/api/v1/openapi.json").await;
    let (paired, _partner) = api_couple(&app, "probe").await;
    let single = app.api().sign_up("Solo", "solo@example.org", None).await;
    let callers = [None, single.token.clone(), paired.token.clone()];

    let question = tend_domain::questions::questions().first().expect("a question").id.clone();
    let deck = tend_domain::questions::decks().first().expect("a deck").id.clone();
    let mut ops: Vec<(String, String, Value)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            ops.push((path.clone(), method.clone(), op.clone()));
        }
    }
    // What ends a caller's standing (its token, its couple) goes last.
    let last = |(path, method, _): &(String, String, Value)| match (path.as_str(), method.as_str()) {
        ("/api/v1/auth/logout", _) => 2,
        ("/api/v1/couple", "delete") => 1,
        _ => 0,
    };
    ops.sort_by_key(last);

    let mut wrong = Vec::new();
    let mut seen: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    for (path, method, op) in &ops {
        let mut urls =
            vec![path.replace("{slug}", "six-kinds").replace("{invite}", "inv_unknown").replace("{id}", "999999")];
        if path.contains("/questions/{id}") {
            urls.push(path.replace("{id}", &question));
        } else if path.contains("/decks/{id}") {
            urls.push(path.replace("{id}", &deck));
        } else if path.contains("{id}") {
            urls.push(path.replace("{id}", "1"));
        }
        let query: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        if !query.is_empty() {
            let bad: Vec<String> = query.iter().map(|q| format!("{q}=-1&{q}=%00")).collect();
            urls.push(format!("{}?{}", urls[0], bad.join("&")));
            let odd: Vec<String> = query.iter().map(|q| format!("{q}=%07-009999-01-01")).collect();
            urls.push(format!("{}?{}", urls[0], odd.join("&")));
        }
        let mut bodies: Vec<Option<(&str, String)>> = vec![None];
        if let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"].as_object() {
            let good = example(&Value::Object(schema.clone()), &doc);
            bodies = vec![
                Some(("application/json", good.to_string())),
                Some(("application/json", "{}".into())),
                Some(("application/json", "[]".into())),
                Some(("application/json", "{\"oops\":".into())),
                Some(("text/plain", good.to_string())),
                None,
            ];
        }
        let statuses: BTreeSet<&str> =
            op["responses"].as_object().expect("responses").keys().map(String::as_str).collect();
        for url in &urls {
            for caller in &callers {
                for body in &bodies {
                    let sent = send(&app, caller.as_deref(), method, url, body.clone()).await;
                    let code = sent.status.as_u16();
                    seen.entry(format!("{} {path}", method.to_uppercase())).or_default().insert(code);
                    let status = code.to_string();
                    let what = format!(
                        "{} {url} (token: {}, body: {:?})",
                        method.to_uppercase(),
                        caller.is_some(),
                        body.as_ref().map(|b| &b.1)
                    );
                    if !statuses.contains(status.as_str()) {
                        wrong.push(format!("{what}: undocumented {status}"));
                        continue;
                    }
                    let response = &op["responses"][&status];
                    let response = match response["$ref"].as_str() {
                        Some(r) => &doc["components"]["responses"][r.rsplit('/').next().expect("name")],
                        None => response,
                    };
                    let content = response["content"].as_object().cloned().unwrap_or_default();
                    if !content.is_empty() && !content.contains_key(&sent.content_type) {
                        wrong.push(format!(
                            "{what}: {status} as {} but documented as {:?}",
                            sent.content_type,
                            content.keys()
                        ));
                    }
                    if code >= 500 {
                        wrong.push(format!("{what}: {status}"));
                    }
                }
            }
        }
    }
    for (op, codes) in &seen {
        eprintln!("{op}: {codes:?}");
    }
    assert!(wrong.is_empty(), "{} answers the document does not describe:\n{}", wrong.len(), wrong.join("\n"));
}

both_backends!(
    the_document_lists_exactly_the_routes_the_router_serves,
    the_document_describes_errors_and_limits,
    every_answer_the_api_gives_is_documented
);

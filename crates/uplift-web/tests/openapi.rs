//! The OpenAPI document matches the API: a path parameter is one the path
//! has, and the query parameters (year, term, kind, filters) are declared in
//! the query, not as path parameters that no client could fill.

mod common;

use common::TestApp;

#[tokio::test]
async fn every_path_parameter_is_in_its_path_and_filters_are_query_parameters() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let paths = doc["paths"].as_object().expect("paths");
    let mut wrong = Vec::new();
    let mut query = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().expect("operations") {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or_default();
                match p["in"].as_str() {
                    Some("path") if !path.contains(&format!("{{{name}}}")) => {
                        wrong.push(format!("{method} {path}: {name} is not in the path"))
                    }
                    Some("query") => query += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // /schools, /visits, /caseload, /meetings, /term-dates, /audit and the QA
    // lists all take filters from the query.
    for (path, name) in [
        ("/api/v1/schools", "la"),
        ("/api/v1/visits", "year"),
        ("/api/v1/caseload", "year"),
        ("/api/v1/meetings", "kind"),
        ("/api/v1/term-dates", "year"),
        ("/api/v1/audit", "entity"),
        ("/api/v1/qa/overview", "year"),
    ] {
        let params = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} has parameters"));
        let p = params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} declares {name}"));
        assert_eq!(p["in"], "query", "{path} {name}");
    }
    assert!(query >= 7);
}

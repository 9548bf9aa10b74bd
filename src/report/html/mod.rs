//! The HTML audit report: one self-contained file (inline CSS, inline SVG, a little optional
//! script, no request to any other host) rendered by handlebars from the same [`AuditReport`] the
//! `--json` output writes, plus a precomputed `view` (percentages, charts, pages of long tables),
//! so the JSON and the HTML cannot disagree.
//!
//! Templates are embedded, so the tool works from anywhere; a `--template-dir` file of the same
//! name replaces a built-in one, and any other `NAME.hbs` there becomes the partial `NAME`.
//! Every value goes through handlebars' HTML escaping; the only unescaped insertions are the SVG
//! strings built here, which escape their own labels.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use handlebars::{Context, Handlebars, RenderError, TemplateError};
use serde_json::Value;

use super::audit::AuditReport;
use crate::error::{Error, Position, ReportError, Result, Usage};

mod charts;
mod coverage;
mod data;
mod helpers;
mod observed;
mod rows;
mod view;

use helpers::*;
use view::View;
pub use view::thousands;

/// The built-in templates: file name and text. The page is `report.html.hbs`; the others are its
/// partials, named by their file name without `.hbs`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "report.html.hbs",
        include_str!("../../../templates/report.html.hbs"),
    ),
    ("style.hbs", include_str!("../../../templates/style.hbs")),
    ("banner.hbs", include_str!("../../../templates/banner.hbs")),
    ("cards.hbs", include_str!("../../../templates/cards.hbs")),
    (
        "questions.hbs",
        include_str!("../../../templates/questions.hbs"),
    ),
    ("charts.hbs", include_str!("../../../templates/charts.hbs")),
    ("tables.hbs", include_str!("../../../templates/tables.hbs")),
    (
        "enforcement.hbs",
        include_str!("../../../templates/enforcement.hbs"),
    ),
    (
        "coverage.hbs",
        include_str!("../../../templates/coverage.hbs"),
    ),
    (
        "exceptions.hbs",
        include_str!("../../../templates/exceptions.hbs"),
    ),
    (
        "user_table.hbs",
        include_str!("../../../templates/user_table.hbs"),
    ),
    (
        "inventory.hbs",
        include_str!("../../../templates/inventory.hbs"),
    ),
    ("pager.hbs", include_str!("../../../templates/pager.hbs")),
    ("more.hbs", include_str!("../../../templates/more.hbs")),
    (
        "changes.hbs",
        include_str!("../../../templates/changes.hbs"),
    ),
    ("inputs.hbs", include_str!("../../../templates/inputs.hbs")),
    ("script.hbs", include_str!("../../../templates/script.hbs")),
];

/// The page template's registered name.
const PAGE: &str = "report.html";
const TEMPLATE_EXTENSION: &str = ".hbs";

/// Rows each table shows without scripts; with scripts the page renders every table whole from
/// its data, a page of rows at a time.
pub const PREVIEW: usize = 25;

/// Renders the audit as one HTML document: the whole report, every user in the inventory.
/// `template_dir` overrides built-in templates by file name; a broken template there is an input
/// error naming the file and position.
pub fn render(report: &AuditReport, template_dir: Option<&Path>) -> Result<String> {
    render_page(report, template_dir, true)
}

/// The summary the mail attaches: every section, each table's first rows, no inventory (the
/// page's data, which grows with the users, is left out).
pub fn render_summary(report: &AuditReport, template_dir: Option<&Path>) -> Result<String> {
    render_page(report, template_dir, false)
}

fn render_page(
    report: &AuditReport,
    template_dir: Option<&Path>,
    inventory: bool,
) -> Result<String> {
    let view = View::build(report, inventory);
    let page_data = if inventory {
        data::data(report, &view.observed.rows, &view.coverage.excluded)
    } else {
        String::new()
    };
    let (registry, origins) = registry(template_dir, &report.users, &page_data)?;
    // The template data is the audit JSON without the users (converting 200,000 users to
    // template values would take seconds): tables are written by the row helpers and the script.
    let mut data = serde_json::to_value(without_users(report))
        .map_err(|e| ReportError::serialize("could not prepare the report data", e))?;
    let view = serde_json::to_value(view)
        .map_err(|e| ReportError::serialize("could not prepare the report view", e))?;
    if let Value::Object(map) = &mut data {
        map.remove("users");
        map.insert("view".into(), view);
    }
    let context = Context::from(data);
    registry
        .render_with_context(PAGE, &context)
        .map_err(|e| render_error(e, &origins))
}

/// The report but its users. Every field is named, so a field added to the report is a choice
/// made here.
fn without_users(r: &AuditReport) -> AuditReport {
    let AuditReport {
        schema,
        generated_at,
        inputs,
        summary,
        questions,
        mfa_completed_by,
        mfa_denied_because,
        users: _,
        changes,
        warnings,
        unmatched_signins,
        methods_by_strength,
        trend,
        without_mfa,
        policies,
        exceptions,
    } = r;
    AuditReport {
        schema: schema.clone(),
        generated_at: generated_at.clone(),
        inputs: inputs.clone(),
        summary: summary.clone(),
        questions: questions.clone(),
        mfa_completed_by: mfa_completed_by.clone(),
        mfa_denied_because: mfa_denied_because.clone(),
        users: Vec::new(),
        changes: changes.clone(),
        warnings: warnings.clone(),
        unmatched_signins: unmatched_signins.clone(),
        methods_by_strength: methods_by_strength.clone(),
        trend: trend.clone(),
        without_mfa: without_mfa.clone(),
        policies: policies.clone(),
        exceptions: exceptions.clone(),
    }
}

/// Writes the built-in templates into `dir` (created if missing) as a starting point for
/// `--template-dir`, and says how many. Refuses before writing anything when any of them is there
/// already (a file, a link, even a broken one), so customisations survive; each file is created
/// new, never opened over something that appeared meanwhile.
pub fn dump_templates(dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (file, _) in TEMPLATES {
        let path = dir.join(file);
        if path.symlink_metadata().is_ok() {
            return Err(Usage::TemplateExists { path }.into());
        }
    }
    for (file, text) in TEMPLATES {
        let path = dir.join(file);
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    Usage::TemplateExists { path: path.clone() }.into()
                }
                _ => Error::io(&path, e),
            })?;
        std::io::Write::write_all(&mut out, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    }
    Ok(TEMPLATES.len())
}

/// Template name → the file it came from, for templates read from `--template-dir`.
type Origins = HashMap<String, PathBuf>;

fn registry<'a>(
    template_dir: Option<&Path>,
    users: &'a [super::audit::AuditUser],
    page_data: &'a str,
) -> Result<(Handlebars<'a>, Origins)> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    // Partials are spliced as written: re-indenting every line of a 200,000-row table costs time
    // and changes nothing a browser shows.
    hb.set_prevent_indent(true);
    hb.register_helper("fmt_int", Box::new(fmt_int_helper));
    hb.register_helper("pct", Box::new(pct_helper));
    hb.register_helper("join", Box::new(join_helper));
    hb.register_helper("datetime", Box::new(datetime_helper));
    hb.register_helper("plural", Box::new(plural_helper));
    hb.register_helper("include", Box::new(IncludeHelper::default()));
    hb.register_helper("change_rows", Box::new(change_rows_helper));
    for (name, row) in [
        ("user_rows", rows::user_row as fn(&_, &mut String)),
        ("observed_rows", rows::observed_row),
        ("excluded_rows", rows::excluded_row),
    ] {
        hb.register_helper(name, Box::new(Rows { name, users, row }));
    }
    hb.register_helper("page_data", Box::new(PageData(page_data)));
    hb.register_helper("user_at", Box::new(UserLookup(users)));

    let mut origins = Origins::new();
    let mut custom: HashMap<String, PathBuf> = HashMap::new();
    if let Some(dir) = template_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(TEMPLATE_EXTENSION) && entry.path().is_file() {
                custom.insert(file, entry.path());
            }
        }
    }
    for (file, text) in TEMPLATES {
        if !custom.contains_key(*file) {
            hb.register_template_string(template_name(file), *text)
                .map_err(|e| ReportError::BuiltinTemplate {
                    file: file.to_string(),
                    source: Box::new(e),
                })?;
        }
    }
    for (file, path) in custom {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let name = template_name(&file).to_string();
        hb.register_template_string(&name, text)
            .map_err(|e| template_error(&path, &e))?;
        origins.insert(name, path);
    }
    Ok((hb, origins))
}

fn template_name(file: &str) -> &str {
    file.strip_suffix(TEMPLATE_EXTENSION).unwrap_or(file)
}

fn template_error(path: &Path, e: &TemplateError) -> Error {
    let position = match e.pos() {
        Some((line, col)) => Position::LineCol(line as u64, col as u64),
        None => Position::File,
    };
    Error::input(
        path,
        position,
        format!("not a valid handlebars template: {}", e.reason()),
    )
}

fn render_error(e: RenderError, origins: &Origins) -> Error {
    let origin = e.template_name.as_ref().and_then(|name| origins.get(name));
    match origin {
        Some(path) => {
            let position = match (e.line_no, e.column_no) {
                (Some(line), Some(col)) => Position::LineCol(line as u64, col as u64),
                _ => Position::File,
            };
            Error::input(
                path,
                position,
                format!(
                    "the template failed: {}; it may only use the fields of the audit JSON and `view`",
                    e.reason()
                ),
            )
        }
        None => ReportError::Render(Box::new(e)).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::charts::*;
    use super::helpers::*;
    use super::view::*;
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn percent_never_rounds_to_all_or_nothing() {
        assert_eq!(percent(7, 8), "87.5%");
        assert_eq!(percent(0, 0), "–");
        assert_eq!(percent(0, 5), "0.0%");
        assert_eq!(percent(5, 5), "100.0%");
        assert_eq!(percent(199_999, 200_000), "99.9%");
        assert_eq!(percent(1, 200_000), "<0.1%");
    }

    #[test]
    fn svg_labels_are_escaped() {
        let bars = [Bar {
            label: "<script>alert(1)</script>".into(),
            value: 3,
            note: "\"><img src=x>".into(),
            color: RED,
        }];
        let svg = hbars(&bars);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(!svg.contains("<img"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot;&gt;&lt;img src=x&gt;"));
    }

    #[test]
    fn percent_axis_has_round_ticks_inside_0_to_100() {
        assert_eq!(percent_axis(25.0, 40.0), (20.0, 45.0, 5.0));
        assert_eq!(percent_axis(97.0, 99.5), (96.0, 100.0, 1.0));
        assert_eq!(percent_axis(0.0, 100.0), (0.0, 100.0, 25.0));
        assert_eq!(percent_axis(50.0, 50.0), (49.0, 51.0, 1.0));
    }

    #[test]
    fn times_are_shortened_to_minutes_in_utc() {
        assert_eq!(
            short_time("2025-05-30T09:12:43.123Z"),
            "2025-05-30 09:12 UTC"
        );
        assert_eq!(
            short_time("2025-05-30T11:12:00+02:00"),
            "2025-05-30 09:12 UTC"
        );
        assert_eq!(short_time("yesterday"), "yesterday");
    }

    #[test]
    fn a_preview_holds_the_first_rows_and_says_how_many_more() {
        let p = Preview::of(0..1201, 1201, USERS);
        assert_eq!(p.rows.len(), PREVIEW);
        assert_eq!(p.rows[..3], [0, 1, 2]);
        assert_eq!(p.more, "first 25 of 1,201 users");
        let p = Preview::of(0..2, 2, USERS);
        assert_eq!((p.rows, p.more), (vec![0, 1], String::new()));
    }

    #[test]
    fn helpers_format_numbers_for_template_authors() {
        let (hb, _) = registry(None, &[], "").unwrap();
        let data = serde_json::json!({"n": 1234567, "neg": -1500, "a": 7, "b": 8, "zero": 0,
            "list": ["a<b", "c"], "one": 1, "t": "2025-05-30T09:12:43Z", "nil": null});
        let out = hb
            .render_template(
                "{{fmt_int n}}|{{fmt_int neg}}|{{pct a b}}|{{pct a zero}}|{{join list \"; \"}}|{{join list}}|\
                 {{plural a \"file\" \"files\"}}|{{plural one \"file\" \"files\"}}|{{datetime t}}|{{datetime nil}}",
                &data,
            )
            .unwrap();
        assert_eq!(
            out,
            "1,234,567|-1,500|87.5%|–|a&lt;b; c|a&lt;b, c|7 files|1 file|2025-05-30 09:12 UTC|"
        );
    }

    #[test]
    fn include_renders_in_the_current_context_and_stops_a_loop() {
        let (mut hb, _) = registry(None, &[], "").unwrap();
        hb.register_template_string("row", "[{{name}}]").unwrap();
        hb.register_template_string("loop", "{{include \"loop\"}}")
            .unwrap();
        let data = serde_json::json!({"rows": [{"name": "a<"}, {"name": "b"}]});
        let out = hb
            .render_template("{{#each rows}}{{include \"row\"}}{{/each}}", &data)
            .unwrap();
        assert_eq!(out, "[a&lt;][b]");
        let err = hb.render("loop", &data).unwrap_err();
        assert!(err.to_string().contains("more than 32 deep"), "{err}");
        let err = hb
            .render_template("{{include \"nope\"}}", &data)
            .unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn strict_mode_rejects_a_missing_field() {
        let (hb, _) = registry(None, &[], "").unwrap();
        let err = hb
            .render_template("{{summary.nope}}", &serde_json::json!({"summary": {}}))
            .unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}

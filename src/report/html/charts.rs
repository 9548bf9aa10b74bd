//! The charts: small hand-written SVG. Their labels are escaped here, because the template inserts
//! the SVG as it is.

use std::fmt::Write as _;

use super::view::*;
use crate::report::audit::AuditReport;

pub(super) const GREEN: &str = "#2e7d4f";
pub(super) const RED: &str = "#c0392b";
pub(super) const AMBER: &str = "#d68910";
pub(super) const GREY: &str = "#a0a7b1";
pub(super) const BLUE: &str = "#2563a8";
pub(super) const TEAL: &str = "#17817a";
pub(super) const PURPLE: &str = "#6d4c9f";

use crate::report::escape_html as esc;
// A label cut to fit; the full text stays in a `<title>`.
use crate::text::shorten;

/// The first `n` of a ranking (`mfa_completed_by`, `mfa_denied_because`) as bars: the wording,
/// how often, and for how many users.
pub(super) fn ranked_bars<'a>(
    ranking: impl Iterator<Item = (&'a String, u64, u64)>,
    n: usize,
    color: &'static str,
) -> Vec<Bar> {
    ranking
        .take(n)
        .map(|(label, times, users)| Bar {
            label: label.clone(),
            value: times,
            note: format!("{} · {}", count(times, TIMES), count(users, USERS)),
            color,
        })
        .collect()
}

pub(super) fn charts(r: &AuditReport) -> Vec<Chart> {
    let s = &r.summary;
    let mut out = Vec::new();

    let known = s.registered_enabled + s.unregistered_enabled;
    let unknown = s
        .registration_unknown_enabled
        .max(s.users_enabled.saturating_sub(known));
    let registration = [
        ("Registered", s.registered_enabled, GREEN),
        ("Not registered", s.unregistered_enabled, RED),
        ("Unknown", unknown, GREY),
    ];
    out.push(Chart {
        id: "registration",
        title: "MFA registration of enabled users",
        caption: caption(&registration, s.users_enabled),
        svg: donut(
            &registration,
            &percent(s.registered_enabled, s.users_enabled),
            "registered",
        ),
        empty: s.users_enabled == 0,
    });

    let state = [
        ("Enforced", s.per_user_state.enforced, GREEN),
        ("Enabled", s.per_user_state.enabled, BLUE),
        ("Disabled", s.per_user_state.disabled, AMBER),
        ("Unknown", s.per_user_state.unknown, GREY),
    ];
    let state_total: u64 = state.iter().map(|x| x.1).sum();
    out.push(Chart {
        id: "per-user-state",
        title: "Per-user MFA state",
        caption: caption(&state, state_total),
        svg: stacked_bar(&state),
        empty: state_total == 0,
    });

    let strengths: Vec<Bar> = r
        .methods_by_strength
        .iter()
        .map(|c| Bar {
            label: c.strength.clone(),
            value: c.users,
            note: count(c.users, USERS),
            color: strength_color(&c.strength),
        })
        .collect();
    let mut strength_caption = format!(
        "Each enabled user once, by the strongest method registered. {}",
        bar_caption(&strengths)
    );
    if s.registration_unknown_enabled > 0 {
        strength_caption.push_str(&format!(
            "; not counted: {} whose methods are unknown",
            count(s.registration_unknown_enabled, USERS)
        ));
    }
    out.push(Chart {
        id: "methods-by-strength",
        title: "Enabled users by their strongest method",
        caption: strength_caption,
        svg: hbars(&strengths),
        empty: strengths.iter().all(|b| b.value == 0),
    });

    let outcomes = [
        ("Completed MFA", s.users_completed_mfa, GREEN),
        ("Unable to complete", s.users_unable_to_complete, RED),
    ];
    let shown: Vec<(String, u64, u64, Option<bool>)> = r
        .mfa_completed_by
        .iter()
        .map(|c| (c.shown(), c.count, c.users, c.prompted))
        .collect();
    let mut completed_by = ranked_bars(shown.iter().map(|c| (&c.0, c.1, c.2)), 8, TEAL);
    // Met without a prompt in another colour than completed at one.
    for (bar, c) in completed_by.iter_mut().zip(&shown) {
        if c.3 != Some(true) {
            bar.color = BLUE;
        }
    }
    let mut outcome_svg = stacked_bar(&outcomes);
    outcome_svg.push_str(&hbars(&completed_by));
    let mut outcome_caption = caption(&outcomes, s.challenged_users);
    if !completed_by.is_empty() {
        let _ = write!(
            outcome_caption,
            " Completed by: {}",
            bar_caption(&completed_by)
        );
    }
    out.push(Chart {
        id: "mfa-outcomes",
        title: "MFA outcomes of challenged users",
        caption: outcome_caption,
        svg: outcome_svg,
        empty: s.challenged_users == 0,
    });

    let denials = ranked_bars(
        r.mfa_denied_because
            .iter()
            .map(|c| (&c.reason, c.count, c.users)),
        10,
        RED,
    );
    out.push(Chart {
        id: "denial-reasons",
        title: "Most common reasons MFA was denied",
        caption: bar_caption(&denials),
        svg: hbars(&denials),
        empty: denials.is_empty(),
    });

    if r.trend.len() >= 2 {
        // The share is a fraction (0–1); a history that stored percentages is read as such.
        let scale = if r.trend.iter().any(|p| p.registered_share > 1.0) {
            1.0
        } else {
            100.0
        };
        let points: Vec<(String, f64)> = r
            .trend
            .iter()
            .map(|p| (p.run.clone(), p.registered_share * scale))
            .collect();
        out.push(Chart {
            id: "trend",
            title: "Registered share over runs",
            caption: points
                .iter()
                .map(|(run, v)| format!("{run}: {v:.1}%"))
                .collect::<Vec<_>>()
                .join("; "),
            svg: line_chart(&points),
            empty: false,
        });
    }
    out
}

pub(super) fn strength_color(strength: &str) -> &'static str {
    match strength.to_ascii_lowercase().as_str() {
        "phishing-resistant" => GREEN,
        "app-based" => TEAL,
        "telephony" => AMBER,
        "not mfa" | "none" => RED,
        "other" => PURPLE,
        _ => BLUE,
    }
}

pub(super) fn caption(parts: &[(&str, u64, &str)], total: u64) -> String {
    parts
        .iter()
        .filter(|p| p.1 > 0)
        .map(|(label, n, _)| format!("{label}: {} ({})", thousands(*n), percent(*n, total)))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn bar_caption(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.note))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A ring of segments with the headline share in its middle and a legend beside it.
pub(super) fn donut(parts: &[(&str, u64, &str)], headline: &str, headline_note: &str) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    let (cx, cy, radius, width) = (90.0, 90.0, 66.0, 26.0);
    let circumference = 2.0 * std::f64::consts::PI * radius;
    // The legend's entries take two lines each (the label, then the count and share), so that
    // seven-digit counts fit; the drawing grows with the entries instead of clipping them.
    let height = (24.0 + parts.len() as f64 * LEGEND_STEP).max(180.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart donut" viewBox="0 0 400 {height}" aria-hidden="true"><circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="#e8ebef" stroke-width="{width}"/>"##
    );
    let mut offset = 0.0;
    for (label, n, color) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let len = circumference * (*n as f64) / (total as f64);
        let _ = write!(
            svg,
            r#"<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{color}" stroke-width="{width}" stroke-dasharray="{len:.2} {rest:.2}" stroke-dashoffset="{off:.2}" transform="rotate(-90 {cx} {cy})"><title>{title}</title></circle>"#,
            rest = circumference - len,
            off = -offset,
            title = esc(&format!("{label}: {}", thousands(*n))),
        );
        offset += len;
    }
    let _ = write!(
        svg,
        r##"<text x="{cx}" y="{y1}" text-anchor="middle" font-size="22" font-weight="700" fill="#1d2733">{h}</text><text x="{cx}" y="{y2}" text-anchor="middle" font-size="12" fill="#5b6673">{n}</text>"##,
        y1 = cy + 4.0,
        y2 = cy + 22.0,
        h = esc(headline),
        n = esc(headline_note),
    );
    legend(&mut svg, parts, total, 196.0, 28.0);
    svg.push_str("</svg>");
    svg
}

/// The height of one legend entry: its label, and its count and share under it.
const LEGEND_STEP: f64 = 36.0;

pub(super) fn legend(svg: &mut String, parts: &[(&str, u64, &str)], total: u64, x: f64, y: f64) {
    for (i, (label, n, color)) in parts.iter().enumerate() {
        let y = y + i as f64 * LEGEND_STEP;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{ry}" width="12" height="12" rx="2" fill="{color}"/><text x="{tx}" y="{ty}" font-size="13" fill="#1d2733">{label}</text><text x="{tx}" y="{ny}" font-size="12" fill="#5b6673">{n} · {p}</text>"##,
            ry = y - 10.0,
            tx = x + 20.0,
            ty = y,
            ny = y + 15.0,
            label = esc(label),
            n = thousands(*n),
            p = esc(&percent(*n, total)),
        );
    }
}

/// One horizontal bar split into segments, with a legend under it.
pub(super) fn stacked_bar(parts: &[(&str, u64, &str)]) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    let (x0, width) = (10.0, 580.0);
    let rows = parts.len().div_ceil(2);
    let height = 50.0 + rows as f64 * 22.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart stacked" viewBox="0 0 600 {height}" aria-hidden="true"><rect x="{x0}" y="8" width="{width}" height="26" rx="4" fill="#e8ebef"/>"##
    );
    let mut x = x0;
    for (label, n, color) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let w = width * (*n as f64) / (total as f64);
        let _ = write!(
            svg,
            r#"<rect x="{x:.2}" y="8" width="{w:.2}" height="26" fill="{color}"><title>{t}</title></rect>"#,
            t = esc(&format!("{label}: {}", thousands(*n))),
        );
        x += w;
    }
    for (i, (label, n, color)) in parts.iter().enumerate() {
        let lx = x0 + (i % 2) as f64 * 290.0;
        let ly = 58.0 + (i / 2) as f64 * 22.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{ry}" width="12" height="12" rx="2" fill="{color}"/><text x="{tx}" y="{ly}" font-size="13" fill="#1d2733">{label} <tspan fill="#5b6673">{n} · {p}</tspan></text>"##,
            ry = ly - 10.0,
            tx = lx + 20.0,
            label = esc(label),
            n = thousands(*n),
            p = esc(&percent(*n, total)),
        );
    }
    svg.push_str("</svg>");
    svg
}

pub(super) struct Bar {
    pub(super) label: String,
    pub(super) value: u64,
    pub(super) note: String,
    pub(super) color: &'static str,
}

/// Horizontal bars, in the order given, scaled to the largest; each label sits above its bar at
/// full width, so long reasons stay readable.
pub(super) fn hbars(bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let (x0, width, row_h) = (10.0, 580.0, 40.0);
    let height = 6.0 + bars.len() as f64 * row_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart bars" viewBox="0 0 600 {height}" aria-hidden="true">"#
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (width * b.value as f64 / max as f64).max(if b.value > 0 { 3.0 } else { 0.0 });
        let _ = write!(
            svg,
            r##"<g><title>{full}</title><text x="{x0}" y="{ty}" font-size="13" fill="#1d2733">{label}</text><text x="{nx}" y="{ty}" text-anchor="end" font-size="12" fill="#5b6673">{note}</text><rect x="{x0}" y="{by}" width="{width}" height="12" rx="3" fill="#eef1f4"/><rect x="{x0}" y="{by}" width="{w:.2}" height="12" rx="3" fill="{color}"/></g>"##,
            full = esc(&format!("{}: {}", b.label, b.note)),
            ty = y + 13.0,
            label = esc(&shorten(&b.label, 60)),
            nx = x0 + width,
            note = esc(&b.note),
            by = y + 19.0,
            color = b.color,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Axis bounds and step for percentages between `lo` and `hi`: round ticks, one step of air on
/// each side, inside 0–100.
pub(super) fn percent_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    let raw = ((hi - lo).max(4.0)) / 4.0;
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0]
        .into_iter()
        .find(|s| *s >= raw)
        .unwrap_or(25.0);
    let bottom = ((lo / step).floor() * step - step).max(0.0);
    let top = ((hi / step).ceil() * step + step).min(100.0);
    (bottom, top, step)
}

/// The registered share (percent) over runs, oldest first.
pub(super) fn line_chart(points: &[(String, f64)]) -> String {
    let (x0, x1, y0, y1) = (50.0, 580.0, 14.0, 170.0);
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (bottom, top, step) = percent_axis(lo, hi);
    let span = (top - bottom).max(1.0);
    let dx = if points.len() > 1 {
        (x1 - x0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy = |i: usize, v: f64| (x0 + dx * i as f64, y1 - (v - bottom) / span * (y1 - y0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart trend" viewBox="0 0 600 205" aria-hidden="true">"#
    );
    let mut tick = bottom;
    while tick <= top + 1e-9 {
        let y = y1 - (tick - bottom) / span * (y1 - y0);
        let _ = write!(
            svg,
            r##"<line x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e7ec"/><text x="{tx}" y="{ty:.1}" text-anchor="end" font-size="11" fill="#5b6673">{tick:.0}%</text>"##,
            tx = x0 - 8.0,
            ty = y + 4.0,
        );
        tick += step;
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = xy(i, p.1);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="2.5" stroke-linejoin="round"/>"#,
        path.join(" ")
    );
    let label_every = points.len().div_ceil(7).max(1);
    let last = points.len() - 1;
    for (i, (run, v)) in points.iter().enumerate() {
        let (x, y) = xy(i, *v);
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{BLUE}"><title>{t}</title></circle>"#,
            t = esc(&format!("{run}: {v:.1}%")),
        );
        if i % label_every == 0 || i == last {
            let anchor = match i {
                0 => "start",
                i if i == last => "end",
                _ => "middle",
            };
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="192" text-anchor="{anchor}" font-size="11" fill="#5b6673">{d}</text>"##,
                d = esc(&shorten(run.get(..10).unwrap_or(run), 12)),
            );
        }
    }
    let (lx, ly) = xy(last, points[last].1);
    let _ = write!(
        svg,
        r##"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" font-size="12" font-weight="700" fill="{BLUE}">{v:.1}%</text>"##,
        ty = ly - 10.0,
        v = points[last].1,
    );
    svg.push_str("</svg>");
    svg
}

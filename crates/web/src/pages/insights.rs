//! Insights: charts of what the couple did, for the couple, each with its numbers and one
//! plain sentence. No score, no streak, no comparison.

use super::Layout;
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::charts::{BarChart, ChartTable, LineChart, RadarChart, Series};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::appreciation::Kind as AppreciationKind;
use tend_domain::help_hint;
use tend_domain::insights::{self, Insights, Range, Span};
use tend_domain::intimacy_map::{Kind, Together};
use tend_domain::rhythm::{Cadence, Practice};

/// A chart as a page shows it: the picture, one sentence, and the numbers in a table.
pub struct Figure {
    pub id: String,
    pub heading: String,
    pub svg: String,
    pub sentence: String,
    pub table: ChartTable,
    /// What an empty cell means in this table.
    pub empty: &'static str,
    pub note: Option<&'static str>,
}

impl Figure {
    pub fn line(chart: &LineChart, heading: &str, sentence: String, empty: &'static str) -> Self {
        Self::of(chart.id(), heading, chart.svg(), sentence, chart.table(), empty)
    }

    pub fn bars(chart: &BarChart, heading: &str, sentence: String) -> Self {
        Self::of(chart.id(), heading, chart.svg(), sentence, chart.table(), "0")
    }

    pub fn radar(chart: &RadarChart, heading: &str, sentence: String) -> Self {
        Self::of(chart.id(), heading, chart.svg(), sentence, chart.table(), "–")
    }

    fn of(id: &str, heading: &str, svg: String, sentence: String, table: ChartTable, empty: &'static str) -> Self {
        Self { id: id.to_owned(), heading: heading.to_owned(), svg, sentence, table, empty, note: None }
    }
}

/// Both partners' maps of one round on one radar.
pub fn map_radar(id: &str, together: &Together, partner: &str) -> RadarChart {
    let values = |m: &tend_domain::intimacy_map::Map| {
        Kind::ALL.iter().map(|k| m.rating(*k).map(|r| f64::from(r.nourished))).collect::<Vec<_>>()
    };
    RadarChart::new(
        id,
        "Our intimacy map",
        format!("How nourished each of you feels in six kinds of intimacy, from 1 to 7: you and {partner}."),
        Kind::ALL.iter().map(|k| k.name().to_owned()).collect(),
        7.0,
        vec![1.0, 3.0, 5.0, 7.0],
        vec![Series::new("You", values(&together.mine)), Series::new(partner, values(&together.theirs))],
    )
}

#[derive(Template)]
#[template(path = "insights/show.html")]
pub struct InsightsPage {
    pub layout: Layout,
    pub partner: String,
    pub span: &'static str,
    pub range_text: String,
    pub earlier: Option<String>,
    pub later: Option<String>,
    pub shared: Vec<Figure>,
    pub own: Figure,
    pub map_kind: &'static str,
    pub map_kinds: Vec<(&'static str, &'static str)>,
    pub help_hint: bool,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    pub span: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    /// Which kind of intimacy the map-over-time chart follows.
    #[serde(default)]
    pub kind: Option<String>,
}

fn range_text(range: &Range) -> String {
    let fmt = |d: jiff::civil::Date| d.strftime("%-d %B %Y").to_string();
    match range.span {
        Span::Weeks => format!("12 weeks, {} to {}", fmt(range.first), fmt(range.last)),
        Span::Months => format!("12 months, {} to {}", range.first.strftime("%B %Y"), range.last.strftime("%B %Y")),
    }
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let today = user.time_zone.today(state.ctx.now());
    let (range, error) = match Range::parse(q.span.as_deref(), q.end.as_deref(), today) {
        Ok(r) => (r, None),
        Err(e) => (Range::ending(Span::Weeks, today)?, Some(e)),
    };
    let (us, data) = insights::for_range(&state.ctx, user, range).await?;
    let partner = us.partner.display_name.clone();
    let kind = q.kind.as_deref().and_then(Kind::parse).unwrap_or(Kind::Emotional);
    let hint = help_hint::for_me(&state.ctx, user).await?;
    let span = range.span.as_str();
    let link = |end: jiff::civil::Date| format!("/insights?span={span}&end={end}&kind={}", kind.as_str());
    let page = InsightsPage {
        layout: Layout::new(Some(&me.0), &csrf, "insights"),
        span,
        range_text: range_text(&range),
        earlier: range.earlier().map(link),
        later: range.later(today).map(link),
        shared: shared_figures(&data, &partner, kind),
        own: felt_figure(&data),
        map_kind: kind.as_str(),
        map_kinds: Kind::ALL.iter().map(|k| (k.as_str(), k.name())).collect(),
        help_hint: hint,
        partner,
        error,
    };
    let mut response = render(&page);
    if page.error.is_some() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

fn labels(data: &Insights) -> Vec<String> {
    data.buckets.iter().map(|b| b.label.clone()).collect()
}

/// The charts both partners see the same way.
pub fn shared_figures(data: &Insights, partner: &str, kind: Kind) -> Vec<Figure> {
    let unit = if data.range.span == Span::Weeks { "week" } else { "month" };
    let closeness = LineChart::new(
        "closeness",
        "Closeness",
        format!("Average closeness per {unit}, from 1 (far apart) to 7 (as one), on days you both checked in."),
        labels(data),
        1.0,
        7.0,
        vec![1.0, 4.0, 7.0],
        vec![
            Series::new("You", data.buckets.iter().map(|b| b.my_closeness).collect()),
            Series::new(partner, data.buckets.iter().map(|b| b.partner_closeness).collect()),
        ],
    );
    let connected = BarChart::new(
        "connected",
        "Days connected",
        format!("Days each {unit} on which you both checked in."),
        labels(data),
        vec![Series::new(
            "Days you both checked in",
            data.buckets.iter().map(|b| Some(f64::from(b.days_connected))).collect(),
        )],
    );
    let days: u32 = data.buckets.iter().map(|b| b.days_connected).sum();
    let busiest = data.buckets.iter().max_by_key(|b| b.days_connected).filter(|b| b.days_connected > 0);
    let connected_sentence = match busiest {
        None => "No days yet in this range on which you both checked in.".to_owned(),
        Some(b) => format!(
            "You both checked in on {days} day{} in these 12 {unit}s; the most in one {unit} was {} (the {unit} of {}).",
            if days == 1 { "" } else { "s" },
            b.days_connected,
            b.label
        ),
    };
    let month_name = data.month.strftime("%B").to_string();
    // Two charts, so that nine practices' names stay readable on a phone: the daily ones, and
    // those with a weekly or monthly rhythm.
    let practice_chart = |id: &str, title: String, daily: bool| {
        let items: Vec<&tend_domain::insights::PracticeCount> = data
            .practices
            .iter()
            .filter(|p| matches!(p.cadence, Cadence::Daily | Cadence::MostDays) == daily)
            .collect();
        BarChart::new(
            id,
            title,
            format!("How often you did each practice in {month_name} so far, beside what the rhythm suggests."),
            items.iter().map(|p| short_name(p.practice).to_owned()).collect(),
            vec![
                Series::new("Done", items.iter().map(|p| Some(f64::from(p.done))).collect()),
                Series::new("Suggested so far", items.iter().map(|p| Some(f64::from(p.suggested))).collect()),
            ],
        )
    };
    let daily = practice_chart("practices-daily", format!("Daily practices in {month_name}"), true);
    let rhythm = practice_chart("practices-rhythm", format!("Weekly and monthly practices in {month_name}"), false);
    let at_rhythm = data.practices.iter().filter(|p| p.suggested > 0 && p.done >= p.suggested).count();
    let practices_sentence = if data.practices.iter().all(|p| p.done == 0) {
        format!("Nothing counted yet in {month_name}. Any practice, any day, is a good start.")
    } else {
        format!(
            "In {month_name} so far you met the suggested rhythm for {at_rhythm} of {} practices. A rhythm is a suggestion, not a target.",
            data.practices.len()
        )
    };
    let days_so_far = data.practices.iter().find(|p| p.cadence == Cadence::Daily).map_or(0, |p| p.suggested);
    let daily_sentence = format!(
        "{} so far: counted on each day one of you did it (a check-in counts when you both did).",
        if days_so_far == 1 { "One day".to_owned() } else { format!("{days_so_far} days") }
    );
    let appreciations = BarChart::new(
        "appreciations",
        "Appreciations",
        format!("Appreciations by kind in this range: those you gave {partner}, and those {partner} gave you."),
        AppreciationKind::ALL.iter().map(|k| k.label().to_owned()).collect(),
        vec![
            Series::new("You gave", data.appreciations.iter().map(|k| Some(f64::from(k.given))).collect()),
            Series::new("You received", data.appreciations.iter().map(|k| Some(f64::from(k.received))).collect()),
        ],
    );
    let given: u32 = data.appreciations.iter().map(|k| k.given).sum();
    let received: u32 = data.appreciations.iter().map(|k| k.received).sum();
    let appreciation_sentence = if given + received == 0 {
        "No appreciations in this range yet.".to_owned()
    } else {
        let top = data.appreciations.iter().max_by_key(|k| k.given + k.received).map(|k| k.kind.label().to_lowercase());
        format!(
            "You gave {given} and received {received} in this range; the kind you share most is {}.",
            top.unwrap_or_default()
        )
    };
    let map_labels: Vec<String> = data.maps.iter().map(|t| day_short(t.at)).collect();
    let nourished = |mine: bool| -> Vec<Option<f64>> {
        data.maps
            .iter()
            .map(|t| {
                let m = if mine { &t.mine } else { &t.theirs };
                m.rating(kind).map(|r| f64::from(r.nourished))
            })
            .collect()
    };
    let map = LineChart::new(
        "map-over-time",
        format!("{} intimacy over time", kind.name()),
        format!(
            "How nourished each of you felt in {} intimacy on each map you both made, from 1 to 7.",
            kind.name().to_lowercase()
        ),
        map_labels,
        1.0,
        7.0,
        vec![1.0, 4.0, 7.0],
        vec![Series::new("You", nourished(true)), Series::new(partner, nourished(false))],
    );
    let map_sentence = match data.maps.len() {
        0 => "No intimacy maps you both made in this range yet.".to_owned(),
        1 => "One map you both made in this range; a second one draws a line.".to_owned(),
        n => format!("{n} maps you both made in this range."),
    };
    let mut map_figure = Figure::line(&map, &format!("{} intimacy over time", kind.name()), map_sentence, "–");
    map_figure.note = Some("Choose another kind of intimacy above the chart.");
    vec![
        Figure::line(
            &closeness,
            "Closeness",
            insights::closeness_sentence(&data.buckets, partner),
            "no day you both checked in",
        ),
        Figure::bars(&connected, "Days connected", connected_sentence),
        Figure::bars(&daily, &format!("Daily practices in {month_name}"), daily_sentence),
        Figure::bars(&rhythm, &format!("Weekly and monthly practices in {month_name}"), practices_sentence),
        Figure::bars(&appreciations, "Appreciations", appreciation_sentence),
        map_figure,
    ]
}

fn day_short(at: jiff::Timestamp) -> String {
    at.strftime("%-d %b %y").to_string()
}

/// A practice's name short enough for a chart's axis on a phone; tables use the same.
fn short_name(p: Practice) -> &'static str {
    match p {
        Practice::Hug => "Hug",
        Practice::CheckIn => "Check-in",
        Practice::Appreciation => "Appreciation",
        Practice::Conversation => "Talk",
        Practice::TechFreeEvening => "Tech-free",
        Practice::Listening => "Listening",
        Practice::ShowAndTell => "Photos",
        Practice::StateOfUs => "State of Us",
        Practice::IntimacyMap => "Map",
    }
}

/// The reader's own felt ratings: never the partner's.
fn felt_figure(data: &Insights) -> Figure {
    let chart = LineChart::new(
        "felt",
        "How you felt",
        "Your own ratings, from 1 to 7, of how understood and how cared for you felt after conversations and questions.",
        labels(data),
        1.0,
        7.0,
        vec![1.0, 4.0, 7.0],
        vec![
            Series::new("Understood", data.buckets.iter().map(|b| b.felt_understood).collect()),
            Series::new("Cared for", data.buckets.iter().map(|b| b.felt_cared_for).collect()),
        ],
    );
    let n: u32 = data.buckets.iter().map(|b| b.felt_count).sum();
    let sentence = if n == 0 {
        "You haven’t rated how you felt in this range yet. After a conversation or a question, you can, just for you."
            .to_owned()
    } else {
        format!("Drawn from the {n} time{} you rated how you felt in this range.", if n == 1 { "" } else { "s" })
    };
    Figure::line(&chart, "How you felt", sentence, "no rating")
}

#[derive(Deserialize)]
pub struct HintForm {
    /// "off" turns the hint off; anything else turns it on again.
    #[serde(default)]
    pub hint: String,
    #[serde(default)]
    pub back: Option<String>,
}

/// Turns the private help hint off (or on again) for the person alone.
pub async fn help_hint(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<HintForm>,
) -> Result<Response, PageError> {
    let off = form.hint.trim() != "on";
    help_hint::set_off(&state.ctx, &me.0.user, off).await?;
    let back = super::safe_return(form.back.as_deref(), "/settings");
    let sep = if back.contains('?') { '&' } else { '?' };
    let key = if off { "hint-off" } else { "hint-on" };
    Ok(Redirect::to(&format!("{back}{sep}done={key}")).into_response())
}

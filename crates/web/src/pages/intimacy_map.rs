//! Our intimacy map: rate six kinds of intimacy, privately, and see both maps together once
//! you have both made one.

use super::insights::{Figure, map_radar};
use super::{FormErrors, Layout, notice};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use tend_domain::couple::Us;
use tend_domain::intimacy_map::{self, Kind, Map, MapView, NewMap, PartnerMap, Wish};

/// One kind on the form.
pub struct KindField {
    pub id: &'static str,
    pub name: &'static str,
    pub short: &'static str,
    pub explain: &'static str,
    pub legend: String,
    pub nourished: u8,
    pub wish: &'static str,
    pub words: String,
    pub error: Option<String>,
}

/// One kind, both partners, in the revealed map.
pub struct KindRow {
    pub name: &'static str,
    pub mine: u8,
    pub my_wish: &'static str,
    pub my_words: String,
    pub theirs: u8,
    pub their_wish: &'static str,
    pub their_words: String,
}

/// Things to try for one kind one of you would like more of.
pub struct SuggestionGroup {
    pub kind: &'static str,
    pub items: Vec<(&'static str, Option<&'static str>)>,
}

pub struct TogetherView {
    pub at: String,
    pub figure: Figure,
    pub rows: Vec<KindRow>,
    pub suggestions: Vec<SuggestionGroup>,
}

/// An earlier map you both made, for the list over time.
pub struct PastMap {
    pub at: String,
    pub mine: Vec<u8>,
    pub theirs: Vec<u8>,
}

#[derive(Template)]
#[template(path = "intimacy_map/show.html")]
pub struct MapPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    /// not-yet, waiting-for-you or revealed.
    pub partner_state: &'static str,
    pub mine_at: Option<String>,
    pub together: Option<TogetherView>,
    pub latest_is_current: bool,
    pub history: Vec<PastMap>,
    pub kind_names: Vec<&'static str>,
    pub invite_retake: bool,
    pub form_open: bool,
    pub fields: Vec<KindField>,
    pub wishes: Vec<(&'static str, &'static str)>,
    pub errors: FormErrors,
}

fn fields(previous: Option<&Map>, typed: Option<&HashMap<String, String>>, errors: &FormErrors) -> Vec<KindField> {
    Kind::ALL
        .into_iter()
        .map(|k| {
            let info = k.info();
            let typed_value = |suffix: &str| typed.and_then(|t| t.get(&format!("{}{suffix}", k.as_str()))).cloned();
            let before = previous.and_then(|m| m.rating(k));
            KindField {
                id: k.as_str(),
                name: k.name(),
                short: &info.short,
                explain: &info.explain,
                legend: format!("How nourished do I feel in {} intimacy?", k.name().to_lowercase()),
                nourished: match typed {
                    Some(_) => typed_value("").and_then(|v| v.trim().parse().ok()).unwrap_or(0),
                    None => before.map_or(0, |r| r.nourished),
                },
                wish: match typed {
                    Some(_) => typed_value("_wish").as_deref().and_then(Wish::parse).map_or("", Wish::as_str),
                    None => before.map_or("", |r| r.wish.as_str()),
                },
                words: match typed {
                    Some(_) => typed_value("_words").unwrap_or_default(),
                    None => String::new(),
                },
                error: errors.get(k.as_str()).map(str::to_owned),
            }
        })
        .collect()
}

fn date(at: jiff::Timestamp, us: &Us) -> String {
    at.to_zoned(us.me.time_zone.zone()).strftime("%-d %B %Y").to_string()
}

fn page(
    us: &Us,
    view: MapView,
    notice: Option<&'static str>,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
    layout: Layout,
) -> MapPage {
    let partner = us.partner.display_name.clone();
    let together = view.latest.as_ref().map(|t| {
        let chart = map_radar("intimacy-map", t, &partner);
        let figure = Figure::radar(&chart, "Our intimacy map", intimacy_map::summary(t, &partner));
        let rows = Kind::ALL
            .into_iter()
            .filter_map(|k| {
                let (a, b) = (t.mine.rating(k)?, t.theirs.rating(k)?);
                Some(KindRow {
                    name: k.name(),
                    mine: a.nourished,
                    my_wish: a.wish.label(),
                    my_words: a.words.clone(),
                    theirs: b.nourished,
                    their_wish: b.wish.label(),
                    their_words: b.words.clone(),
                })
            })
            .collect();
        let suggestions = intimacy_map::wanted_more(t)
            .into_iter()
            .take(3)
            .map(|k| SuggestionGroup {
                kind: k.name(),
                items: k.info().suggestions.iter().map(|s| (s.text.as_str(), s.href.as_deref())).collect(),
            })
            .collect();
        TogetherView { at: date(t.at, us), figure, rows, suggestions }
    });
    let latest_is_current = view.partner == PartnerMap::Revealed;
    let history = view
        .history
        .iter()
        .rev()
        .skip(1)
        .map(|t| PastMap {
            at: date(t.at, us),
            mine: Kind::ALL.iter().map(|k| t.mine.rating(*k).map_or(0, |r| r.nourished)).collect(),
            theirs: Kind::ALL.iter().map(|k| t.theirs.rating(*k).map_or(0, |r| r.nourished)).collect(),
        })
        .collect();
    let form_open =
        errors.any() || view.mine.is_none() || view.partner == PartnerMap::WaitingForYou || view.invite_retake;
    MapPage {
        layout,
        notice,
        partner_state: match view.partner {
            PartnerMap::NotYet => "not-yet",
            PartnerMap::WaitingForYou => "waiting-for-you",
            PartnerMap::Revealed => "revealed",
        },
        mine_at: view.mine.as_ref().map(|m| date(m.taken_at, us)),
        together,
        latest_is_current,
        history,
        kind_names: Kind::ALL.iter().map(|k| k.name()).collect(),
        invite_retake: view.invite_retake && view.mine.is_some(),
        form_open,
        fields: fields(view.mine.as_ref(), typed, &errors),
        wishes: Wish::ALL.iter().map(|w| (w.as_str(), w.label())).collect(),
        errors,
        partner,
    }
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let (us, view) = intimacy_map::view(&state.ctx, &me.0.user).await?;
    let layout = Layout::new(Some(&me.0), &csrf, "insights");
    Ok(render(&page(&us, view, notice(q.done.as_deref()), None, FormErrors::default(), layout)))
}

pub async fn take(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    match intimacy_map::take(&state.ctx, &me.0.user, &NewMap::from_form(&form)).await {
        Ok(_) => Ok(Redirect::to("/intimacy-map?done=map-saved#map").into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let (us, view) = intimacy_map::view(&state.ctx, &me.0.user).await?;
            let layout = Layout::new(Some(&me.0), &csrf, "insights");
            let status = errors.status;
            let mut response = render(&page(&us, view, None, Some(&form), errors, layout));
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

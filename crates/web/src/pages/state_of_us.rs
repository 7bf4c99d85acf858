//! State of Us: the weekly check-in on how the two of you are doing, private until both
//! have answered.

use super::{FormErrors, Layout, notice};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use tend_domain::state_of_us::{self, FeelingGroup, NewStateOfUs, PartnerState, Shared, StateOfUs, WeekView};

/// One week's answers as the page shows them.
pub struct WeekCard {
    pub label: String,
    pub mine: Option<StateOfUs>,
    pub theirs: Option<Shared>,
    /// not-yet, waiting-for-you or revealed.
    pub partner_state: &'static str,
}

impl WeekCard {
    fn of(view: WeekView, label: String) -> Self {
        let (partner_state, theirs) = match view.partner {
            PartnerState::NotYet => ("not-yet", None),
            PartnerState::WaitingForYou => ("waiting-for-you", None),
            PartnerState::Revealed { state_of_us } => ("revealed", Some(state_of_us)),
        };
        Self { label, mine: view.mine, theirs, partner_state }
    }
}

#[derive(Template)]
#[template(path = "state_of_us/show.html")]
pub struct StateOfUsPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub this_week: WeekCard,
    pub earlier: Vec<WeekCard>,
    pub form: NewStateOfUs,
    pub stuck: bool,
    pub form_open: bool,
    pub errors: FormErrors,
    pub feelings: &'static [FeelingGroup],
    pub help_hint: bool,
}

fn week_label(monday: jiff::civil::Date) -> String {
    format!("Week of {}", monday.strftime("%-d %B %Y"))
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    notice: Option<&'static str>,
    typed: Option<NewStateOfUs>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let (us, view) = state_of_us::this_week(&state.ctx, &me.0.user).await?;
    let earlier = state_of_us::earlier(&state.ctx, &us, 8).await?;
    let help_hint = tend_domain::help_hint::for_me(&state.ctx, &me.0.user).await?;
    let form = typed.unwrap_or_else(|| {
        view.mine
            .as_ref()
            .map(|m| NewStateOfUs {
                went_well: m.went_well.clone(),
                need_more: m.need_more.clone(),
                need_less: m.need_less.clone(),
                feeling: m.feeling.clone(),
                topic: m.topic.clone(),
                stuck: m.stuck.then(|| "yes".to_owned()),
            })
            .unwrap_or_default()
    });
    let stuck = form.stuck.as_deref().is_some_and(|s| !s.trim().is_empty());
    let form_open = errors.any() || view.mine.is_none();
    let status = errors.status;
    let week = view.week;
    let this_week = WeekCard::of(view, week_label(week));
    let page = StateOfUsPage {
        layout: Layout::new(Some(&me.0), csrf, "insights"),
        partner: us.partner.display_name.clone(),
        notice,
        this_week,
        earlier: earlier
            .into_iter()
            .map(|w| {
                let label = week_label(w.week);
                WeekCard::of(w, label)
            })
            .collect(),
        form,
        stuck,
        form_open,
        errors,
        feelings: state_of_us::feelings(),
        help_hint,
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    page(&state, &me, &csrf, notice(q.done.as_deref()), None, FormErrors::default()).await
}

pub async fn record(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<NewStateOfUs>,
) -> Result<Response, PageError> {
    match state_of_us::record(&state.ctx, &me.0.user, &form).await {
        Ok(_) => Ok(Redirect::to("/state-of-us?done=state-saved#this-week").into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&state, &me, &csrf, None, Some(form), errors).await
        }
    }
}

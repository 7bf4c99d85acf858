//! The admin page, for the instance's admins only (to anyone else it is not there): how
//! people get in, the counts, and the accounts, with a reset link to hand over and a switch
//! to turn an account off and on. Names, emails, dates and flags; never a couple's words.

use super::pairing::base_url;
use super::{FormErrors, Layout, parse_id, when};
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::{AppState, flash};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::admin::{self, HANDED_LINK_VALID};
use tend_domain::store::admin::InstanceCounts;
use tend_domain::{Registration, UserId};

/// One account as the page lists it.
pub struct AccountRow {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub created: String,
    pub last_seen: String,
    pub paired: bool,
    pub admin: bool,
    pub me: bool,
    /// "Switched off on …", when it is.
    pub disabled: Option<String>,
}

/// A reset link made just now, shown this once, under its account.
pub struct HandedLink {
    pub account: UserId,
    pub link: String,
}

#[derive(Template)]
#[template(path = "admin/admin.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub open_registration: bool,
    pub email_ready: bool,
    pub counts: InstanceCounts,
    pub accounts: Vec<AccountRow>,
    /// The next page of accounts, when there is one.
    pub next: Option<String>,
    /// Where this page starts (empty on the first), sent back with each form.
    pub after: String,
    /// The search, as read (empty: every account), kept in the box and sent back with each form.
    pub find: String,
    /// The first page of this search (or of everyone).
    pub first_page: String,
    pub handed: Option<HandedLink>,
    /// How long a handed link works.
    pub link_hours: i64,
    pub notice: Option<String>,
    pub errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct AdminQuery {
    after: Option<String>,
    /// A search of names and emails.
    find: Option<String>,
    done: Option<String>,
    /// The account the notice is about.
    account: Option<String>,
}

/// The page an action was taken on, sent back with the form so the admin lands where they were.
#[derive(Deserialize, Default)]
pub struct AccountAction {
    after: Option<String>,
    find: Option<String>,
}

/// Which page of accounts: after this id, or the first.
fn page_after(raw: Option<&str>) -> Result<Option<UserId>, PageError> {
    Ok(raw.filter(|r| !r.is_empty()).map(parse_id::<i64>).transpose()?.map(UserId))
}

/// What an action did, said of the account by the name the page shows (never by a name
/// taken from the address, which anyone could write).
fn notice(done: &str, rows: &[AccountRow], account: UserId) -> Option<String> {
    let who = rows.iter().find(|r| r.id == account).map_or("That person", |r| r.name.as_str());
    Some(match done {
        "disabled" => format!(
            "{who}’s account is switched off: they were signed out everywhere and can’t sign in until you switch it back on."
        ),
        "enabled" => format!("{who}’s account is on again: they can sign in with their password."),
        "link" => format!("A link for {who} to set a new password is ready below their name."),
        _ => return None,
    })
}

struct View {
    after: Option<UserId>,
    find: String,
    handed: Option<HandedLink>,
    done: Option<(String, UserId)>,
    errors: FormErrors,
}

async fn admin_page(state: &AppState, me: &SignedIn, csrf: &CsrfToken, v: View) -> Result<Response, PageError> {
    let user = &me.0.user;
    let tz = &user.time_zone;
    let overview = admin::overview(&state.ctx, user, v.after, &v.find).await?;
    let accounts: Vec<AccountRow> = overview
        .accounts
        .into_iter()
        .map(|a| AccountRow {
            me: a.id == user.id,
            id: a.id,
            name: a.display_name,
            email: a.email,
            created: when(a.created_at, tz),
            last_seen: a.last_seen.map(|t| when(t, tz)).unwrap_or_else(|| "not yet".into()),
            paired: a.paired,
            admin: a.admin,
            disabled: a.disabled_at.map(|t| when(t, tz)),
        })
        .collect();
    let notice = v.done.and_then(|(done, account)| notice(&done, &accounts, account));
    let (status, wait) = FormErrors::page_status(&[&v.errors]);
    let page = AdminPage {
        layout: Layout::new(Some(&me.0), csrf, "settings"),
        open_registration: overview.registration == Registration::Open,
        email_ready: state.courier.email_ready(),
        counts: overview.counts,
        accounts,
        next: overview.next_after.map(|id| address(&overview.find, Some(id), "", "accounts")),
        after: v.after.map(|a| a.0.to_string()).unwrap_or_default(),
        first_page: address(&overview.find, None, "", "accounts"),
        find: overview.find,
        handed: v.handed,
        link_hours: HANDED_LINK_VALID.as_hours(),
        notice,
        errors: v.errors,
    };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> Result<Response, PageError> {
    let after = page_after(q.after.as_deref())?;
    let handed = flash::peek(&headers, "reset-link").and_then(|s| match <[String; 2]>::try_from(s.parts) {
        Ok([id, link]) => Some(HandedLink { account: UserId(id.parse().ok()?), link }),
        Err(_) => None,
    });
    let shown = handed.is_some();
    let done = match (q.done, q.account.as_deref().and_then(|a| a.parse().ok())) {
        (Some(done), Some(account)) => Some((done, UserId(account))),
        _ => None,
    };
    let find = q.find.unwrap_or_default();
    let view = View { after, find, handed, done, errors: FormErrors::default() };
    let mut response = admin_page(&state, &me, &csrf, view).await?;
    if shown {
        flash::clear(&state, &mut response);
    }
    Ok(response)
}

/// An address on the admin page: the search and the page it is on (when there are any), then
/// `rest` of the query, landing at `anchor`.
fn address(find: &str, after: Option<UserId>, rest: &str, anchor: &str) -> String {
    let find = (!find.is_empty()).then(|| format!("find={}", crate::auth::urlencode(find)));
    let after = after.map(|a| format!("after={}", a.0));
    let rest = (!rest.is_empty()).then(|| rest.to_owned());
    let query: Vec<String> = [find, after, rest].into_iter().flatten().collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    format!("/admin{query}#{anchor}")
}

/// Where to land after acting on an account: the same page and search, at its row, with a notice.
fn back_to(done: &str, form: &AccountAction, after: Option<UserId>, account: UserId) -> Response {
    let find = form.find.as_deref().unwrap_or_default().trim();
    let rest = format!("done={done}&account={}", account.0);
    Redirect::to(&address(find, after, &rest, &format!("account-{}", account.0))).into_response()
}

/// An admin's action that a rule refused (their own account, an admin's, one switched off):
/// the same page again, saying why.
async fn refused(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    form: &AccountAction,
    after: Option<UserId>,
    e: tend_domain::Error,
) -> Result<Response, PageError> {
    let errors = FormErrors::from_error(e)?;
    let find = form.find.clone().unwrap_or_default();
    admin_page(state, me, csrf, View { after, find, handed: None, done: None, errors }).await
}

pub async fn make_reset_link(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AccountAction>,
) -> Result<Response, PageError> {
    let (id, after) = (UserId(parse_id(&id)?), page_after(form.after.as_deref())?);
    match admin::make_reset_link(&state.ctx, &me.0.user, id).await {
        Ok((account, token)) => {
            let link = format!("{}/reset/{}", base_url(&state.config, &headers), token.expose());
            let mut response = back_to("link", &form, after, account.id);
            let shown = flash::Shown { kind: "reset-link".into(), parts: vec![account.id.0.to_string(), link] };
            flash::put(&state, &mut response, &shown);
            Ok(response)
        }
        Err(e) => refused(&state, &me, &csrf, &form, after, e).await,
    }
}

/// Switches an account off (`on` false) or back on, and lands on its row.
async fn switch(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: &str,
    form: AccountAction,
    on: bool,
) -> Result<Response, PageError> {
    let (id, after) = (UserId(parse_id(id)?), page_after(form.after.as_deref())?);
    let done = if on {
        admin::enable(&state.ctx, &me.0.user, id).await.map(|a| ("enabled", a))
    } else {
        admin::disable(&state.ctx, &me.0.user, id).await.map(|a| ("disabled", a))
    };
    match done {
        Ok((done, account)) => Ok(back_to(done, &form, after, account.id)),
        Err(e) => refused(state, me, csrf, &form, after, e).await,
    }
}

pub async fn disable(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AccountAction>,
) -> Result<Response, PageError> {
    switch(&state, &me, &csrf, &id, form, false).await
}

pub async fn enable(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AccountAction>,
) -> Result<Response, PageError> {
    switch(&state, &me, &csrf, &id, form, true).await
}

//! What the OpenAPI document says beyond each handler's own annotation, applied to every
//! operation at once so that no handler can forget it:
//! - every error is `application/problem+json` (RFC 9457);
//! - what the extractors answer for every operation of a kind: 401 where a token is needed;
//!   400, 413, 415 and 422 where a JSON body is read; 400 where a query string is read;
//! - the limits the domain enforces (lengths, ranges, the words a field takes), read from the
//!   domain's own constants so the document cannot drift from the rules.
//!
//! A handler's annotation says only what is its own: its success, and the errors its use case
//! gives (404, 409 with what conflicts, a specific 422 or 429).

use tend_domain::questions::{self, exchange};
use tend_domain::{
    account, appreciation, auth, check_in, conversation, intimacy_map, listening, rhythm, state_of_us, tech_free,
};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Components, OpenApi, Ref, RefOr};

pub const PROBLEM: &str = "application/problem+json";

/// Shared responses, by the name they have under `components/responses`.
const UNAUTHENTICATED: &str = "Unauthenticated";
const BAD_REQUEST: &str = "BadRequest";
const TOO_LARGE: &str = "TooLarge";
const UNSUPPORTED_MEDIA_TYPE: &str = "UnsupportedMediaType";
const UNPROCESSABLE: &str = "Unprocessable";

/// Finishes the document built from the handlers' annotations.
pub fn finish(openapi: &mut OpenApi) {
    let components = openapi.components.get_or_insert_with(Components::default);
    add_shared_responses(components);
    apply_schema_limits(components);
    openapi.paths.paths.insert("/api/v1/openapi.json".into(), this_document());
    for (path, item) in openapi.paths.paths.iter_mut() {
        for op in operations(item) {
            let responses = &mut op.responses.responses;
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                responses.entry("401".into()).or_insert_with(|| shared(UNAUTHENTICATED));
            }
            let params = op.parameters.as_deref().unwrap_or_default();
            let reads_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
            if op.request_body.is_some() {
                responses.entry("400".into()).or_insert_with(|| shared(BAD_REQUEST));
                responses.entry("413".into()).or_insert_with(|| shared(TOO_LARGE));
                responses.entry("415".into()).or_insert_with(|| shared(UNSUPPORTED_MEDIA_TYPE));
                responses.entry("422".into()).or_insert_with(|| shared(UNPROCESSABLE));
            } else if reads_query {
                responses.entry("400".into()).or_insert_with(|| shared(BAD_REQUEST));
            }
            for (status, response) in responses.iter_mut() {
                if let RefOr::T(response) = response
                    && (status.starts_with('4') || status.starts_with('5'))
                {
                    as_problem(response, status);
                }
            }
            if let Some(params) = op.parameters.as_mut() {
                for p in params.iter_mut().filter(|p| p.parameter_in == ParameterIn::Query) {
                    if let Some(RefOr::T(schema)) = p.schema.as_mut() {
                        // A query parameter is absent or a string, never JSON's null.
                        drop_null(schema);
                        if let Some(rule) = query_rule(path, &p.name) {
                            rule.apply(schema);
                        }
                    }
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head]
        .into_iter()
        .flatten()
}

fn problem_schema() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name("Problem"))
}

fn shared(name: &str) -> RefOr<Response> {
    RefOr::Ref(Ref::from_response_name(name))
}

fn problem_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM, ContentBuilder::new().schema(Some(problem_schema())).build())
}

fn string_header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::String)).description(Some(description)).build()
}

fn add_shared_responses(components: &mut Components) {
    let shared = [
        (
            UNAUTHENTICATED,
            problem_response("No bearer token, or one that is unknown, revoked or expired.")
                .header("WWW-Authenticate", string_header("`Bearer`"))
                .build(),
        ),
        (
            BAD_REQUEST,
            problem_response(
                "The body is not valid JSON, or the query string does not fit this operation's parameters.",
            )
            .build(),
        ),
        (TOO_LARGE, problem_response("The body is larger than 64 KiB.").build()),
        (
            UNSUPPORTED_MEDIA_TYPE,
            problem_response("The body was not sent with `Content-Type: application/json`.").build(),
        ),
        (
            UNPROCESSABLE,
            problem_response(
                "The body is not a JSON object with the expected fields, or a field's value is refused; \
                 `errors` names each field and says why.",
            )
            .build(),
        ),
    ];
    for (name, response) in shared {
        components.responses.insert(name.into(), RefOr::T(response));
    }
}

/// Error content is a problem document, whatever the annotation said; 429 and 503 tell when
/// to retry.
fn as_problem(response: &mut Response, status: &str) {
    let schema = response.content.shift_remove("application/json").and_then(|c| c.schema).or(Some(problem_schema()));
    if !response.content.contains_key(PROBLEM) {
        response.content.insert(PROBLEM.into(), ContentBuilder::new().schema(schema).build());
    }
    if status == "429" || status == "503" {
        response
            .headers
            .entry("Retry-After".into())
            .or_insert_with(|| string_header("Seconds to wait before trying again."));
    }
}

/// `GET /api/v1/openapi.json` itself, so that the document lists every route under /api.
fn this_document() -> PathItem {
    let operation = OperationBuilder::new()
        .tag("meta")
        .summary(Some("This document: the OpenAPI 3.1 description of the API."))
        .operation_id(Some("openapi"))
        .response(
            "200",
            ResponseBuilder::new()
                .description("The document")
                .content("application/json", ContentBuilder::new().schema(Some(ObjectBuilder::new())).build())
                .build(),
        )
        .build();
    PathItem::new(HttpMethod::Get, operation)
}

fn drop_null(schema: &mut Schema) {
    if let Schema::Object(o) = schema
        && let SchemaType::Array(types) = &o.schema_type
        && let [only] = types.iter().filter(|t| **t != Type::Null).collect::<Vec<_>>().as_slice()
    {
        o.schema_type = SchemaType::Type((*only).clone());
    }
}

/// Control characters that written text refuses (`text::clean`): all but tab, line feed and
/// carriage return.
const TEXT_CONTROL: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";
/// Control characters that one line (a name) refuses: those that are not whitespace, since
/// whitespace runs become one space.
const LINE_CONTROL: &str = r"\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f";

/// Text without `control` characters, and with something besides whitespace when `min > 0`.
fn showable(control: &str, min: usize) -> String {
    if min == 0 { format!("^[^{control}]*$") } else { format!("^[^{control}]*[^\\s{control}][^{control}]*$") }
}

/// A limit the domain puts on a field, as JSON Schema says it.
#[derive(Clone, Debug)]
pub enum Rule {
    /// Written text (line breaks allowed) of `min..=max` characters, counted after trimming.
    Text(usize, usize),
    /// One line, such as a name, of `min..=max` characters.
    Line(usize, usize),
    /// Any characters, `min..=max` of them: a password, an invite, a search.
    Any(usize, usize),
    /// An email address, as `account::parse_email` takes it.
    Email,
    /// A date, YYYY-MM-DD, from the year 2000 on (`history::parse_date`).
    Date,
    /// A month, YYYY-MM, from the year 2000 on (`check_in::parse_month`).
    Month,
    /// One of these words.
    Words(Vec<&'static str>),
    /// An array of these words.
    EachOf(Vec<&'static str>),
    /// A whole number from `min` to `max`.
    Range(i64, i64),
    /// One of these whole numbers.
    Numbers(Vec<i64>),
    /// 1 to 7, as a number or as the same digit in a string (the check-in form's way).
    Scale,
    /// A time of day, `19:30`.
    Time,
    /// Text of at most `max` characters matching a regular expression.
    Pattern(&'static str, usize),
}

impl Rule {
    fn apply(&self, schema: &mut Schema) {
        match (self, schema) {
            (Rule::EachOf(words), Schema::Array(array)) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items
                    && let RefOr::T(item) = items.as_mut()
                {
                    Rule::Words(words.clone()).apply(item);
                }
            }
            (rule, Schema::Object(o)) => {
                let nullable = matches!(&o.schema_type, SchemaType::Array(t) if t.contains(&Type::Null));
                let with_null = |mut values: Vec<serde_json::Value>| {
                    if nullable {
                        values.push(serde_json::Value::Null);
                    }
                    Some(values)
                };
                let mut lengths = |min: usize, max: usize| {
                    o.min_length = (min > 0).then_some(min);
                    o.max_length = Some(max);
                };
                match rule {
                    Rule::Text(min, max) => {
                        lengths(*min, *max);
                        o.pattern = Some(showable(TEXT_CONTROL, *min));
                    }
                    Rule::Line(min, max) => {
                        lengths(*min, *max);
                        o.pattern = Some(showable(LINE_CONTROL, *min));
                    }
                    Rule::Any(min, max) => lengths(*min, *max),
                    Rule::Email => {
                        lengths(3, account::EMAIL_MAX);
                        let part = format!("[^\\s<>@.{LINE_CONTROL}]+");
                        o.pattern = Some(format!("^[^\\s<>{LINE_CONTROL}]+@{part}(\\.{part})+$"));
                    }
                    Rule::Date => o.pattern = Some("^[2-9][0-9]{3}-[0-9]{2}-[0-9]{2}$".into()),
                    // Empty is this month.
                    Rule::Month => o.pattern = Some("^([2-9][0-9]{3}-(0[1-9]|1[0-2]))?$".into()),
                    Rule::Words(words) => o.enum_values = with_null(words.iter().map(|w| (*w).into()).collect()),
                    Rule::Numbers(numbers) => {
                        o.enum_values = with_null(numbers.iter().map(|n| (*n).into()).collect());
                    }
                    Rule::Range(min, max) => {
                        o.minimum = Some(utoipa::Number::Int(isize::try_from(*min).unwrap_or(isize::MIN)));
                        o.maximum = Some(utoipa::Number::Int(isize::try_from(*max).unwrap_or(isize::MAX)));
                    }
                    Rule::Scale => {
                        o.schema_type = SchemaType::Array(vec![Type::Integer, Type::String]);
                        o.minimum = Some(utoipa::Number::Int(1));
                        o.maximum = Some(utoipa::Number::Int(7));
                        o.pattern = Some("^[1-7]$".into());
                    }
                    Rule::Time => o.pattern = Some("^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$".into()),
                    Rule::Pattern(pattern, max) => {
                        lengths(1, *max);
                        o.pattern = Some((*pattern).into());
                    }
                    Rule::EachOf(_) => {}
                }
            }
            _ => {}
        }
    }
}

/// The shallowest and deepest levels of questions.
fn depths() -> (i64, i64) {
    let d = &questions::DEPTHS;
    (d.iter().min().map_or(1, |m| i64::from(*m)), d.iter().max().map_or(3, |m| i64::from(*m)))
}

fn strs<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|t| name(*t)).collect()
}

/// The limits of request and response fields, by schema and property name. Every entry must
/// find its field: the API tests check that [`unapplied_limits`] is empty.
pub fn schema_limits() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::*;
    let kinds = strs(&appreciation::Kind::ALL, appreciation::Kind::as_str);
    let reactions = strs(&appreciation::Reaction::ALL, appreciation::Reaction::as_str);
    let verdicts = strs(&[listening::Verdict::GotIt, listening::Verdict::NotQuite], listening::Verdict::as_str);
    let roles = strs(
        &[conversation::Role::Speaker, conversation::Role::Listener, conversation::Role::Both],
        conversation::Role::as_str,
    );
    let types = strs(&questions::IntimacyType::ALL, questions::IntimacyType::as_str);
    let minutes: Vec<i64> = conversation::MINUTE_CHOICES.iter().map(|m| i64::from(*m)).collect();
    let (shallow, deep) = depths();
    let weekdays: Vec<&'static str> = rhythm::WEEKDAYS.iter().map(|(_, key, _)| *key).collect();
    let practices = strs(&rhythm::Practice::ALL, rhythm::Practice::as_str);
    let cadences = vec!["daily", "most-days", "weekly", "monthly"];
    let map_kinds = strs(&intimacy_map::Kind::ALL, intimacy_map::Kind::as_str);
    let wishes = strs(&intimacy_map::Wish::ALL, intimacy_map::Wish::as_str);
    let feelings: Vec<&'static str> = state_of_us::feeling_words().collect();
    // Empty means none, as the form sends it.
    let starters = std::iter::once("").chain(appreciation::starters(None).into_iter().map(|s| s.id.as_str())).collect();
    vec![
        ("SignUpBody", "display_name", Line(1, account::NAME_MAX)),
        ("SignUpBody", "email", Email),
        ("SignUpBody", "password", Any(account::PASSWORD_MIN, account::PASSWORD_MAX)),
        ("SignUpBody", "time_zone", Line(1, 64)),
        ("SignUpBody", "token_name", Line(1, auth::TOKEN_NAME_MAX)),
        ("LogInBody", "token_name", Line(1, auth::TOKEN_NAME_MAX)),
        ("ProfileBody", "display_name", Line(1, account::NAME_MAX)),
        ("ProfileBody", "email", Email),
        ("ProfileBody", "time_zone", Line(1, 64)),
        ("PasswordBody", "new_password", Any(account::PASSWORD_MIN, account::PASSWORD_MAX)),
        ("DeleteAccountBody", "password", Any(1, account::PASSWORD_MAX)),
        ("NewTokenBody", "name", Line(1, auth::TOKEN_NAME_MAX)),
        ("JoinBody", "invite", Any(1, 2048)),
        ("CheckInBody", "high", Text(0, check_in::TEXT_MAX)),
        ("CheckInBody", "low", Text(0, check_in::TEXT_MAX)),
        ("CheckInBody", "need", Text(0, check_in::NEED_MAX)),
        ("CheckInBody", "closeness", Scale),
        ("CheckInView", "closeness", Range(1, 7)),
        ("MapRatingBody", "kind", Words(map_kinds.clone())),
        ("MapRatingBody", "nourished", Range(1, 7)),
        ("MapRatingBody", "wish", Words(wishes.clone())),
        ("MapRatingBody", "words", Text(0, intimacy_map::WORDS_MAX)),
        ("MapRatingView", "kind", Words(map_kinds)),
        ("MapRatingView", "nourished", Range(1, 7)),
        ("MapRatingView", "wish", Words(wishes)),
        ("StateOfUsBody", "went_well", Text(1, state_of_us::TEXT_MAX)),
        ("StateOfUsBody", "need_more", Text(0, state_of_us::TEXT_MAX)),
        ("StateOfUsBody", "need_less", Text(0, state_of_us::TEXT_MAX)),
        ("StateOfUsBody", "feeling", Words(feelings)),
        ("StateOfUsBody", "topic", Text(0, state_of_us::TOPIC_MAX)),
        ("GoalBody", "title", Line(1, tend_domain::goals::TITLE_MAX)),
        ("GoalBody", "why", Text(0, tend_domain::goals::WHY_MAX)),
        ("GoalBody", "next_step", Text(0, tend_domain::goals::STEP_MAX)),
        ("GoalBody", "due", Date),
        ("GoalView", "title", Line(1, tend_domain::goals::TITLE_MAX)),
        ("GoalView", "why", Text(0, tend_domain::goals::WHY_MAX)),
        ("GoalView", "next_step", Text(0, tend_domain::goals::STEP_MAX)),
        (
            "GoalCheerBody",
            "kind",
            Words(strs(&tend_domain::goals::CheerKind::ALL, tend_domain::goals::CheerKind::as_str)),
        ),
        ("GoalCheerBody", "words", Text(0, tend_domain::goals::CHEER_MAX)),
        ("GoalCheerBody", "ask_on", Date),
        (
            "GoalCheerView",
            "kind",
            Words(strs(&tend_domain::goals::CheerKind::ALL, tend_domain::goals::CheerKind::as_str)),
        ),
        ("GoalCheerView", "words", Text(0, tend_domain::goals::CHEER_MAX)),
        ("GoalProgressBody", "note", Text(1, tend_domain::goals::PROGRESS_MAX)),
        ("GoalProgressView", "note", Text(1, tend_domain::goals::PROGRESS_MAX)),
        (
            "GoalReactionBody",
            "reaction",
            Words(strs(&tend_domain::goals::ProgressReaction::ALL, tend_domain::goals::ProgressReaction::as_str)),
        ),
        (
            "GoalProgressView",
            "reaction",
            Words(strs(&tend_domain::goals::ProgressReaction::ALL, tend_domain::goals::ProgressReaction::as_str)),
        ),
        ("InsightsDoc", "span", Words(vec!["weeks", "months"])),
        ("AppreciationBody", "kind", Words(kinds.clone())),
        ("AppreciationBody", "body", Text(1, appreciation::BODY_MAX)),
        ("AppreciationBody", "starter_id", Words(starters)),
        ("AppreciationView", "kind", Words(kinds.clone())),
        ("AppreciationView", "reaction", Words(reactions.clone())),
        ("StarterView", "kind", Words(kinds)),
        ("ReactionBody", "reaction", Words(reactions)),
        ("ReactionBody", "reply", Text(0, appreciation::REPLY_MAX)),
        ("DayCheckInsView", "partner_state", Words(vec!["not_yet", "waiting_for_you", "revealed"])),
        ("RhythmDay", "connected", Words(vec!["both", "one", "none"])),
        ("StartBody", "minutes", Numbers(minutes.clone())),
        ("StartBody", "first", Words(vec!["me", "partner"])),
        ("StartedView", "outcome", Words(vec!["new", "joined_partners", "already_running"])),
        ("ConversationView", "state", Words(vec!["waiting", "speaking", "rating", "done", "expired", "cancelled"])),
        ("ConversationView", "role", Words(roles)),
        ("ConversationView", "turn", Numbers(vec![1, 2])),
        ("ConversationView", "minutes", Numbers(minutes)),
        ("RatingBody", "understood", Range(1, 7)),
        ("RatingBody", "cared_for", Range(1, 7)),
        ("RatingView", "understood", Range(1, 7)),
        ("RatingView", "cared_for", Range(1, 7)),
        ("ShareBody", "share", Text(1, listening::SHARE_MAX)),
        ("ReflectionBody", "reflection", Text(1, listening::REFLECTION_MAX)),
        ("ReflectionBody", "feeling", Text(1, listening::FEELING_MAX)),
        ("ListeningAnswerBody", "verdict", Words(verdicts.clone())),
        ("ListeningAnswerBody", "clarification", Text(0, listening::SHARE_MAX)),
        ("RoundView", "verdict", Words(verdicts)),
        ("ListeningView", "stage", Words(vec!["reflecting", "answering", "understood", "ended"])),
        ("QuestionAnswerBody", "body", Text(0, exchange::ANSWER_MAX)),
        ("ResponseBody", "words", Text(0, exchange::REPLY_WORDS_MAX)),
        ("FeltBody", "understood", Range(1, 7)),
        ("FeltBody", "accepted", Range(1, 7)),
        ("FeltBody", "cared_for", Range(1, 7)),
        ("FeltView", "understood", Range(1, 7)),
        ("FeltView", "accepted", Range(1, 7)),
        ("FeltView", "cared_for", Range(1, 7)),
        ("ExchangeView", "my_state", Words(vec!["none", "answered", "passed"])),
        (
            "ExchangeView",
            "partner_state",
            Words(vec!["not_yet", "waiting_for_you", "you_passed", "passed", "revealed"]),
        ),
        ("ReplyView", "kind", Words(vec!["understanding", "validation", "care", "enthusiasm", "curiosity", "playful"])),
        ("QuestionView", "depth", Range(shallow, deep)),
        ("QuestionView", "types", EachOf(types)),
        ("LadderLevelView", "depth", Range(shallow, deep)),
        ("SlotBody", "weekday", Words(weekdays.clone())),
        ("SlotBody", "nth", Range(1, 4)),
        ("SlotBody", "at", Time),
        ("SlotBody", "minutes", Range(i64::from(rhythm::MINUTES_MIN), i64::from(rhythm::MINUTES_MAX))),
        ("SlotBody", "zone", Line(0, 64)),
        ("SlotTimeView", "weekday", Words(weekdays)),
        ("SlotTimeView", "nth", Range(1, 4)),
        ("PracticePlanView", "rhythm", Words(cadences.clone())),
        ("PracticePlanView", "id", Words(practices.clone())),
        ("WeekItemView", "id", Words(practices)),
        ("WeekItemView", "rhythm", Words(cadences)),
        ("WeekItemView", "status", Words(vec!["done", "planned", "not-yet"])),
        ("WeekItemView", "days", EachOf(vec!["both", "me", "partner", "not-yet", "ahead"])),
        ("EveningView", "stage", Words(vec!["waiting", "together", "over"])),
        ("EveningNoteBody", "note", Line(1, tech_free::NOTE_MAX)),
        (
            "NextView",
            "step",
            Words(vec![
                "join-evening",
                "evening-on",
                "join-conversation",
                "back-to-conversation",
                "show-and-tell",
                "rate-conversation",
                "listening",
                "check-in-partner-waiting",
                "nudged",
                "check-in",
                "question-partner-waiting",
                "question",
                "planned",
                "appreciate",
                "all-done",
            ]),
        ),
        ("GuideView", "day", Range(1, 7)),
        ("ChoicesBody", "quiet_from", Time),
        ("ChoicesBody", "quiet_until", Time),
        ("RemindersView", "quiet_from", Time),
        ("RemindersView", "quiet_until", Time),
        ("DeviceBody", "endpoint", Pattern(r"^https://[^\s/?#@]+(/\S*)?$", 2048)),
        ("DeviceBody", "label", Line(0, 80)),
        // An uncompressed P-256 point (65 bytes, starting 0x04) and a 16-byte secret, base64url.
        ("DeviceKeysBody", "p256dh", Pattern(r"^B[A-P][A-Za-z0-9_-]{84}[AEIMQUYcgkosw048]=?$", 88)),
        ("DeviceKeysBody", "auth", Pattern(r"^[A-Za-z0-9_-]{21}[AQgw](==)?$", 24)),
        ("IdeaView", "setting", Words(vec!["home", "out"])),
        ("IdeaView", "cost", Words(vec!["free", "low", "some"])),
        ("IdeaView", "energy", Words(vec!["calm", "some", "lively"])),
        ("PlayIdeaView", "place", Words(strs(tend_domain::play::Place::ALL, tend_domain::play::Place::as_str))),
        ("PlayIdeaView", "cost", Words(strs(tend_domain::play::Cost::ALL, tend_domain::play::Cost::as_str))),
        ("PlayIdeaView", "length", Words(strs(tend_domain::play::Length::ALL, tend_domain::play::Length::as_str))),
        ("PlayIdeaView", "energy", Words(strs(tend_domain::play::Energy::ALL, tend_domain::play::Energy::as_str))),
        ("PlayIdeaView", "seasons", EachOf(strs(tend_domain::play::Season::ALL, tend_domain::play::Season::as_str))),
        ("PlayIdeaView", "my_mark", Words(strs(&tend_domain::play::Mark::ALL, tend_domain::play::Mark::as_str))),
        ("PlayIdea", "title", Line(1, tend_domain::play::TITLE_MAX)),
        ("PlayIdea", "place", Words(strs(tend_domain::play::Place::ALL, tend_domain::play::Place::as_str))),
        ("PlayIdea", "cost", Words(strs(tend_domain::play::Cost::ALL, tend_domain::play::Cost::as_str))),
        ("PlayIdea", "length", Words(strs(tend_domain::play::Length::ALL, tend_domain::play::Length::as_str))),
        ("PlayIdea", "energy", Words(strs(tend_domain::play::Energy::ALL, tend_domain::play::Energy::as_str))),
        ("PlayIdea", "seasons", EachOf(strs(tend_domain::play::Season::ALL, tend_domain::play::Season::as_str))),
        ("PlayOwnIdeaBody", "title", Line(1, tend_domain::play::TITLE_MAX)),
        ("PlayOwnIdeaBody", "detail", Text(0, tend_domain::play::DETAIL_MAX)),
        ("PlayOwnIdeaBody", "place", Words(strs(tend_domain::play::Place::ALL, tend_domain::play::Place::as_str))),
        ("PlayOwnIdeaBody", "cost", Words(strs(tend_domain::play::Cost::ALL, tend_domain::play::Cost::as_str))),
        ("PlayOwnIdeaBody", "length", Words(strs(tend_domain::play::Length::ALL, tend_domain::play::Length::as_str))),
        ("PlayOwnIdeaBody", "energy", Words(strs(tend_domain::play::Energy::ALL, tend_domain::play::Energy::as_str))),
        ("PlayMarkBody", "mark", Words(strs(&tend_domain::play::Mark::ALL, tend_domain::play::Mark::as_str))),
        ("PlayMarkView", "mark", Words(strs(&tend_domain::play::Mark::ALL, tend_domain::play::Mark::as_str))),
        ("PlayMarkResult", "mark", Words(strs(&tend_domain::play::Mark::ALL, tend_domain::play::Mark::as_str))),
        ("PlayPlanBody", "date", Date),
        ("PlayPlanBody", "time", Time),
        ("PlayPlanView", "stage", Words(vec!["proposed", "upcoming", "happened", "lapsed", "cancelled"])),
        (
            "PlayAfterwardsBody",
            "feeling",
            Words(strs(&tend_domain::play::Feeling::ALL, tend_domain::play::Feeling::as_str)),
        ),
        ("PlayAfterwardsBody", "note", Text(0, tend_domain::play::NOTE_MAX)),
        ("PlayAfterwardsBody", "photo", Pattern(r"^[A-Za-z0-9_-]{22}$", 22)),
        (
            "PlayAfterwardsView",
            "feeling",
            Words(strs(&tend_domain::play::Feeling::ALL, tend_domain::play::Feeling::as_str)),
        ),
    ]
}

/// Limits of query parameters, by path and name.
fn query_rule(path: &str, name: &str) -> Option<Rule> {
    let kinds = || strs(&appreciation::Kind::ALL, appreciation::Kind::as_str);
    let (shallow, deep) = depths();
    match (path, name) {
        ("/api/v1/appreciations", "box") => Some(Rule::Words(vec!["received", "given"])),
        ("/api/v1/appreciations", "q") => Some(Rule::Any(0, appreciation::QUERY_MAX)),
        ("/api/v1/appreciations", "page") => Some(Rule::Range(1, i64::from(tend_domain::appreciation::LAST_PAGE))),
        ("/api/v1/appreciations/starters", "kind") => Some(Rule::Words(kinds())),
        ("/api/v1/exchanges", "q") => Some(Rule::Any(0, exchange::SEARCH_MAX)),
        // Empty means any, as the page's form sends it.
        ("/api/v1/exchanges", "type") => {
            let mut types = vec![""];
            types.extend(strs(&questions::IntimacyType::ALL, questions::IntimacyType::as_str));
            Some(Rule::Words(types))
        }
        ("/api/v1/exchanges", "deck") => {
            Some(Rule::Words(std::iter::once("").chain(questions::decks().iter().map(|d| d.id.as_str())).collect()))
        }
        ("/api/v1/check-ins", "from" | "to") | ("/api/v1/history", "before") => Some(Rule::Date),
        ("/api/v1/rhythm", "month") => Some(Rule::Month),
        ("/api/v1/insights", "span") => Some(Rule::Words(vec!["weeks", "months"])),
        ("/api/v1/insights", "end") => Some(Rule::Pattern("^[2-9][0-9]{3}-[0-9]{2}(-[0-9]{2})?$", 10)),
        ("/api/v1/ladder/ready" | "/api/v1/ladder/step-back", "from") => Some(Rule::Range(shallow, deep)),
        ("/api/v1/play/ideas", "place") => {
            Some(Rule::Words(strs(tend_domain::play::Place::ALL, tend_domain::play::Place::as_str)))
        }
        ("/api/v1/play/ideas", "cost") => {
            Some(Rule::Words(strs(tend_domain::play::Cost::ALL, tend_domain::play::Cost::as_str)))
        }
        ("/api/v1/play/ideas", "length") => {
            Some(Rule::Words(strs(tend_domain::play::Length::ALL, tend_domain::play::Length::as_str)))
        }
        ("/api/v1/play/ideas", "energy") => {
            Some(Rule::Words(strs(tend_domain::play::Energy::ALL, tend_domain::play::Energy::as_str)))
        }
        ("/api/v1/play/ideas", "season") => {
            Some(Rule::Words(strs(tend_domain::play::Season::ALL, tend_domain::play::Season::as_str)))
        }
        _ => None,
    }
}

fn apply_schema_limits(components: &mut Components) {
    for (schema, field, rule) in schema_limits() {
        if let Some(target) = property(components, schema, field) {
            rule.apply(target);
        }
    }
}

fn property<'a>(components: &'a mut Components, schema: &str, field: &str) -> Option<&'a mut Schema> {
    match components.schemas.get_mut(schema)? {
        RefOr::T(Schema::Object(o)) => match o.properties.get_mut(field)? {
            RefOr::T(s) => Some(s),
            RefOr::Ref(_) => None,
        },
        _ => None,
    }
}

/// Entries of [`schema_limits`] that name no field of the document: a renamed field or type.
pub fn unapplied_limits(openapi: &OpenApi) -> Vec<String> {
    let mut components = openapi.components.clone().unwrap_or_default();
    schema_limits()
        .into_iter()
        .filter(|(schema, field, _)| property(&mut components, schema, field).is_none())
        .map(|(schema, field, _)| format!("{schema}.{field}"))
        .collect()
}

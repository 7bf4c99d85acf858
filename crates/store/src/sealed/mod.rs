//! The store every use case sees: a backend wrapped so that each word a person writes is
//! sealed with their data key on the way in and opened on the way out (see [`crate::vault`]).
//! Methods without written words pass straight through.

mod admin;
mod bulk;
mod goals;
mod play;

use crate::vault::Vault;
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use tend_domain::appreciation::{Appreciation, AppreciationRecord, Filter, Reaction};
use tend_domain::auth::{ApiTokenSummary, SessionSummary};
use tend_domain::check_in::{CheckIn, CheckInRecord};
use tend_domain::conversation::Conversation;
use tend_domain::couple::InviteRecord;
use tend_domain::ids::*;
use tend_domain::intimacy_map::{MapRecord, Rating, StoredRating};
use tend_domain::listening::{Listening, Verdict};
use tend_domain::photo::PhotoId;
use tend_domain::questions::exchange::{Exchange, Felt};
use tend_domain::reminder::Choices;
use tend_domain::rhythm::{Practice, Slot};
use tend_domain::secret::SecretHash;
use tend_domain::state_of_us::{StateOfUs, StateOfUsRecord};
use tend_domain::store::keys::Keys;
use tend_domain::store::photos::{PhotoRecord, Photos, StoredShowAndTell};
use tend_domain::store::reflections::{AppreciationMark, ClosenessMark, FeltMark};
use tend_domain::store::reminders::*;
use tend_domain::store::*;
use tend_domain::tech_free::Evening;
use tend_domain::text::fold;

/// A backend behind the vault.
#[derive(Clone)]
pub struct SealedStore {
    inner: Arc<dyn Store>,
    keys: Arc<dyn Keys>,
    vault: Vault,
}

impl SealedStore {
    pub fn new(inner: Arc<dyn Store>, keys: Arc<dyn Keys>, vault: Vault) -> Self {
        Self { inner, keys, vault }
    }

    async fn open_check_in(&self, c: &mut CheckIn) -> StoreResult<()> {
        let v = &self.vault;
        c.high = v.open_text(c.author, std::mem::take(&mut c.high)).await?;
        c.low = v.open_text(c.author, std::mem::take(&mut c.low)).await?;
        c.need = v.open_text(c.author, std::mem::take(&mut c.need)).await?;
        Ok(())
    }

    async fn open_appreciation(&self, a: &mut Appreciation) -> StoreResult<()> {
        a.body = self.vault.open_text(a.author, std::mem::take(&mut a.body)).await?;
        a.reply = self.vault.open_text(a.recipient, std::mem::take(&mut a.reply)).await?;
        Ok(())
    }

    async fn open_listening_words(&self, l: &mut Listening) -> StoreResult<()> {
        for r in &mut l.rounds {
            r.share = self.vault.open_text(l.speaker, std::mem::take(&mut r.share)).await?;
            r.reflection = self.vault.open_opt(Some(l.listener), r.reflection.take()).await?;
            r.feeling = self.vault.open_opt(Some(l.listener), r.feeling.take()).await?;
        }
        Ok(())
    }

    async fn open_exchange(&self, x: &mut Exchange) -> StoreResult<()> {
        for a in &mut x.answers {
            a.body = self.vault.open_text(a.author, std::mem::take(&mut a.body)).await?;
            a.reply_words = self.vault.open_text(a.author, std::mem::take(&mut a.reply_words)).await?;
        }
        Ok(())
    }

    async fn open_evening_note(&self, e: &mut Evening) -> StoreResult<()> {
        e.note = self.vault.open_opt(e.noted_by, e.note.take()).await?;
        Ok(())
    }

    async fn open_state_of_us(&self, s: &mut StateOfUs) -> StoreResult<()> {
        let v = &self.vault;
        s.went_well = v.open_text(s.author, std::mem::take(&mut s.went_well)).await?;
        s.need_more = v.open_text(s.author, std::mem::take(&mut s.need_more)).await?;
        s.need_less = v.open_text(s.author, std::mem::take(&mut s.need_less)).await?;
        s.topic = v.open_text(s.author, std::mem::take(&mut s.topic)).await?;
        Ok(())
    }
}

#[async_trait]
impl Upkeep for SealedStore {
    async fn ping(&self) -> StoreResult<()> {
        self.inner.ping().await
    }

    async fn probe_write(&self, now: Timestamp) -> StoreResult<()> {
        self.inner.probe_write(now).await
    }

    async fn prune_sessions(&self, before: Timestamp) -> StoreResult<u64> {
        self.inner.prune_sessions(before).await
    }

    async fn prune_failures(&self, before: Timestamp) -> StoreResult<u64> {
        self.inner.prune_failures(before).await
    }
}

#[async_trait]
impl Accounts for SealedStore {
    async fn is_founded(&self) -> StoreResult<bool> {
        self.inner.is_founded().await
    }

    async fn register(&self, new: &NewUserRecord, gate: &Gate, now: Timestamp) -> StoreResult<RegisterOutcome> {
        self.inner.register(new, gate, now).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.inner.user(id).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.inner.user_by_email(email).await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        self.inner.password_hash(id).await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()> {
        self.inner.set_password_hash(id, hash, now).await
    }

    async fn update_profile(&self, id: UserId, change: &ProfileChange, now: Timestamp) -> StoreResult<User> {
        self.inner.update_profile(id, change, now).await
    }

    async fn users_in_couple(&self, couple: CoupleId) -> StoreResult<Vec<User>> {
        self.inner.users_in_couple(couple).await
    }

    async fn seen_at(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        self.inner.seen_at(user).await
    }

    async fn set_seen_at(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        self.inner.set_seen_at(user, at).await
    }

    async fn guide_hidden(&self, user: UserId) -> StoreResult<bool> {
        self.inner.guide_hidden(user).await
    }

    async fn hide_guide(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        self.inner.hide_guide(user, at).await
    }

    async fn delete_user(&self, user: UserId, now: Timestamp) -> StoreResult<bool> {
        let deleted = self.inner.delete_user(user, now).await?;
        self.vault.forget(user);
        if deleted {
            // The data key's row is gone; its old page images go too.
            self.keys.scrub().await?;
        }
        Ok(deleted)
    }
}

#[async_trait]
impl Access for SealedStore {
    async fn create_session(&self, new: &NewSession) -> StoreResult<SessionId> {
        self.inner.create_session(new).await
    }

    async fn session_by_token(&self, hash: &SecretHash, now: Timestamp) -> StoreResult<Option<LiveSession>> {
        self.inner.session_by_token(hash, now).await
    }

    async fn touch_session(&self, id: SessionId, now: Timestamp, expires_at: Timestamp) -> StoreResult<()> {
        self.inner.touch_session(id, now, expires_at).await
    }

    async fn sessions_of(&self, user: UserId, now: Timestamp) -> StoreResult<Vec<SessionSummary>> {
        self.inner.sessions_of(user, now).await
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        self.inner.delete_session(user, id).await
    }

    async fn delete_sessions_except(&self, user: UserId, keep: Option<SessionId>) -> StoreResult<u64> {
        self.inner.delete_sessions_except(user, keep).await
    }

    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &SecretHash,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        self.inner.create_password_reset(user, token_hash, now, expires_at).await
    }

    async fn password_reset_user(&self, token_hash: &SecretHash, now: Timestamp) -> StoreResult<Option<UserId>> {
        self.inner.password_reset_user(token_hash, now).await
    }

    async fn redeem_password_reset(
        &self,
        token_hash: &SecretHash,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UserId>> {
        self.inner.redeem_password_reset(token_hash, password_hash, now).await
    }

    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiTokenId> {
        self.inner.create_api_token(new).await
    }

    async fn api_token_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<TokenOwner>> {
        self.inner.api_token_by_hash(hash).await
    }

    async fn touch_api_token(&self, id: ApiTokenId, now: Timestamp) -> StoreResult<()> {
        self.inner.touch_api_token(id, now).await
    }

    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenSummary>> {
        self.inner.api_tokens_of(user).await
    }

    async fn delete_api_token(&self, user: UserId, id: ApiTokenId) -> StoreResult<bool> {
        self.inner.delete_api_token(user, id).await
    }

    async fn record_attempt(&self, keys: &[String], now: Timestamp, since: Timestamp) -> StoreResult<Vec<Attempts>> {
        self.inner.record_attempt(keys, now, since).await
    }

    async fn forget_attempt(&self, key: &str, at: Timestamp) -> StoreResult<()> {
        self.inner.forget_attempt(key, at).await
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        self.inner.clear_failures(key).await
    }
}

#[async_trait]
impl Pairing for SealedStore {
    async fn create_invite(&self, new: &NewInvite) -> StoreResult<()> {
        self.inner.create_invite(new).await
    }

    async fn open_invite_of(&self, inviter: UserId, now: Timestamp) -> StoreResult<Option<InviteRecord>> {
        self.inner.open_invite_of(inviter, now).await
    }

    async fn invite_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<InviteRecord>> {
        self.inner.invite_by_hash(hash).await
    }

    async fn cancel_invites_of(&self, inviter: UserId) -> StoreResult<u64> {
        self.inner.cancel_invites_of(inviter).await
    }

    async fn redeem_invite(
        &self,
        hash: &SecretHash,
        joiner: UserId,
        now: Timestamp,
    ) -> StoreResult<Result<CoupleId, RedeemFailure>> {
        self.inner.redeem_invite(hash, joiner, now).await
    }

    async fn dissolve_couple(&self, couple: CoupleId, now: Timestamp) -> StoreResult<()> {
        self.inner.dissolve_couple(couple, now).await
    }

    async fn couples_of(&self, user: UserId) -> StoreResult<Vec<PastCouple>> {
        self.inner.couples_of(user).await
    }

    async fn couple_members(&self, couple: CoupleId) -> StoreResult<Option<(Vec<User>, Timestamp)>> {
        self.inner.couple_members(couple).await
    }
}

#[async_trait]
impl Daily for SealedStore {
    async fn upsert_check_in(&self, record: &CheckInRecord) -> StoreResult<()> {
        let v = &self.vault;
        let sealed = CheckInRecord {
            high: v.seal(record.author, &record.high).await?,
            low: v.seal(record.author, &record.low).await?,
            need: v.seal(record.author, &record.need).await?,
            ..record.clone()
        };
        self.inner.upsert_check_in(&sealed).await
    }

    async fn check_ins_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<CheckIn>> {
        let mut out = self.inner.check_ins_between(couple, from, to).await?;
        for c in &mut out {
            self.open_check_in(c).await?;
        }
        Ok(out)
    }

    async fn create_appreciation(&self, record: &AppreciationRecord) -> StoreResult<Appreciation> {
        let sealed = AppreciationRecord { body: self.vault.seal(record.author, &record.body).await?, ..record.clone() };
        let mut made = self.inner.create_appreciation(&sealed).await?;
        self.open_appreciation(&mut made).await?;
        Ok(made)
    }

    async fn appreciation(&self, couple: CoupleId, id: AppreciationId) -> StoreResult<Option<Appreciation>> {
        let mut found = self.inner.appreciation(couple, id).await?;
        if let Some(a) = &mut found {
            self.open_appreciation(a).await?;
        }
        Ok(found)
    }

    async fn react_to_appreciation(
        &self,
        couple: CoupleId,
        id: AppreciationId,
        recipient: UserId,
        reaction: Option<Reaction>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let reply = self.vault.seal(recipient, reply).await?;
        self.inner.react_to_appreciation(couple, id, recipient, reaction, &reply, now).await
    }

    /// Sealed words cannot be searched in SQL: with a query, the couple's appreciations that
    /// pass the other filters are opened and searched here (folded, as plain substrings),
    /// and only then paged.
    async fn appreciations(&self, couple: CoupleId, filter: &Filter) -> StoreResult<Vec<Appreciation>> {
        let Some(query) = filter.query.as_deref().map(fold) else {
            let mut page = self.inner.appreciations(couple, filter).await?;
            for a in &mut page {
                self.open_appreciation(a).await?;
            }
            return Ok(page);
        };
        let all = Filter { query: None, limit: u32::MAX, offset: 0, ..filter.clone() };
        let mut found = Vec::new();
        for mut a in self.inner.appreciations(couple, &all).await? {
            self.open_appreciation(&mut a).await?;
            if fold(&a.body).contains(&query) || fold(&a.reply).contains(&query) {
                found.push(a);
            }
        }
        Ok(found.into_iter().skip(filter.offset as usize).take(filter.limit.max(1) as usize).collect())
    }

    async fn log_hug(
        &self,
        couple: CoupleId,
        by: UserId,
        at: Timestamp,
        same_hug: SignedDuration,
    ) -> StoreResult<bool> {
        self.inner.log_hug(couple, by, at, same_hug).await
    }

    async fn hugs_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Timestamp>> {
        self.inner.hugs_since(couple, since).await
    }
}

#[async_trait]
impl Practices for SealedStore {
    async fn open_conversation(&self, couple: CoupleId) -> StoreResult<Option<StoredConversation>> {
        self.inner.open_conversation(couple).await
    }

    async fn insert_conversation(&self, couple: CoupleId, c: &Conversation) -> StoreResult<Option<ConversationId>> {
        self.inner.insert_conversation(couple, c).await
    }

    async fn update_conversation(
        &self,
        couple: CoupleId,
        id: ConversationId,
        c: &Conversation,
        open: bool,
    ) -> StoreResult<Conversation> {
        self.inner.update_conversation(couple, id, c, open).await
    }

    async fn conversation(&self, couple: CoupleId, id: ConversationId) -> StoreResult<Option<Conversation>> {
        self.inner.conversation(couple, id).await
    }

    async fn conversations(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<StoredConversation>> {
        self.inner.conversations(couple, limit).await
    }

    async fn open_listening(&self, couple: CoupleId) -> StoreResult<Option<Listening>> {
        let mut found = self.inner.open_listening(couple).await?;
        if let Some(l) = &mut found {
            self.open_listening_words(l).await?;
        }
        Ok(found)
    }

    async fn insert_listening(
        &self,
        couple: CoupleId,
        speaker: UserId,
        listener: UserId,
        share: &str,
        now: Timestamp,
    ) -> StoreResult<Option<ListeningId>> {
        let share = self.vault.seal(speaker, share).await?;
        self.inner.insert_listening(couple, speaker, listener, &share, now).await
    }

    async fn listening(&self, couple: CoupleId, id: ListeningId) -> StoreResult<Option<Listening>> {
        let mut found = self.inner.listening(couple, id).await?;
        if let Some(l) = &mut found {
            self.open_listening_words(l).await?;
        }
        Ok(found)
    }

    async fn listenings(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<Listening>> {
        let mut all = self.inner.listenings(couple, limit).await?;
        for l in &mut all {
            self.open_listening_words(l).await?;
        }
        Ok(all)
    }

    async fn reflect_listening(
        &self,
        couple: CoupleId,
        id: ListeningId,
        round: u8,
        reflection: &str,
        feeling: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        // The listener reflects: their key seals it.
        let Some(l) = self.inner.listening(couple, id).await? else { return Ok(false) };
        let (reflection, feeling) =
            (self.vault.seal(l.listener, reflection).await?, self.vault.seal(l.listener, feeling).await?);
        self.inner.reflect_listening(couple, id, round, &reflection, &feeling, now).await
    }

    async fn answer_listening(
        &self,
        couple: CoupleId,
        id: ListeningId,
        round: u8,
        verdict: Verdict,
        next: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let next = match next {
            Some(share) => {
                // The speaker shares again: their key seals it.
                let Some(l) = self.inner.listening(couple, id).await? else { return Ok(false) };
                Some(self.vault.seal(l.speaker, share).await?)
            }
            None => None,
        };
        self.inner.answer_listening(couple, id, round, verdict, next.as_deref(), now).await
    }

    async fn close_listening(&self, couple: CoupleId, id: ListeningId, now: Timestamp) -> StoreResult<()> {
        self.inner.close_listening(couple, id, now).await
    }
}

#[async_trait]
impl Questions for SealedStore {
    async fn ladder(&self, couple: CoupleId) -> StoreResult<StoredLadder> {
        self.inner.ladder(couple).await
    }

    async fn save_ladder(&self, couple: CoupleId, ladder: &StoredLadder) -> StoreResult<bool> {
        self.inner.save_ladder(couple, ladder).await
    }

    async fn exchange(&self, couple: CoupleId, question_id: &str) -> StoreResult<Option<Exchange>> {
        let mut found = self.inner.exchange(couple, question_id).await?;
        if let Some(x) = &mut found {
            self.open_exchange(x).await?;
        }
        Ok(found)
    }

    async fn exchanges(&self, couple: CoupleId) -> StoreResult<Vec<Exchange>> {
        let mut all = self.inner.exchanges(couple).await?;
        for x in &mut all {
            self.open_exchange(x).await?;
        }
        Ok(all)
    }

    async fn ensure_exchange(
        &self,
        couple: CoupleId,
        question_id: &str,
        deck: &str,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<ExchangeId> {
        self.inner.ensure_exchange(couple, question_id, deck, depth, now).await
    }

    async fn save_answer(&self, exchange: ExchangeId, answer: &NewAnswerRecord) -> StoreResult<bool> {
        let sealed = NewAnswerRecord { body: self.vault.seal(answer.author, &answer.body).await?, ..answer.clone() };
        self.inner.save_answer(exchange, &sealed).await
    }

    async fn save_response(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        responder: UserId,
        reply_id: Option<&str>,
        words: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let words = self.vault.seal(responder, words).await?;
        self.inner.save_response(couple, exchange, responder, reply_id, &words, now).await
    }

    async fn complete_exchange(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.complete_exchange(couple, exchange, depth, now).await
    }

    async fn save_felt(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, felt: Felt) -> StoreResult<()> {
        self.inner.save_felt(couple, exchange, author, felt).await
    }

    async fn save_favorite(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, on: bool) -> StoreResult<()> {
        self.inner.save_favorite(couple, exchange, author, on).await
    }

    async fn question_draws(&self, couple: CoupleId) -> StoreResult<Vec<QuestionDraw>> {
        self.inner.question_draws(couple).await
    }

    async fn question_draws_on(&self, couple: CoupleId, day: Date) -> StoreResult<Vec<QuestionDraw>> {
        self.inner.question_draws_on(couple, day).await
    }

    async fn add_question_draw(
        &self,
        couple: CoupleId,
        day: Date,
        question_id: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.inner.add_question_draw(couple, day, question_id, now).await
    }
}

#[async_trait]
impl Rhythms for SealedStore {
    async fn rhythm_slots(&self, couple: CoupleId) -> StoreResult<Vec<StoredSlot>> {
        self.inner.rhythm_slots(couple).await
    }

    async fn propose_slot(
        &self,
        couple: CoupleId,
        practice: Practice,
        slot: &Slot,
        by: UserId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.inner.propose_slot(couple, practice, slot, by, now).await
    }

    async fn accept_slot(
        &self,
        couple: CoupleId,
        practice: Practice,
        by: UserId,
        seen: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.accept_slot(couple, practice, by, seen, now).await
    }

    async fn drop_slot_proposal(&self, couple: CoupleId, practice: Practice) -> StoreResult<bool> {
        self.inner.drop_slot_proposal(couple, practice).await
    }

    async fn mark_practice(&self, couple: CoupleId, practice: Practice, by: UserId, now: Timestamp) -> StoreResult<()> {
        self.inner.mark_practice(couple, practice, by, now).await
    }

    async fn practice_marks_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<PracticeMark>> {
        self.inner.practice_marks_since(couple, since).await
    }

    async fn open_evening(&self, couple: CoupleId, now: Timestamp) -> StoreResult<Option<Evening>> {
        let mut found = self.inner.open_evening(couple, now).await?;
        if let Some(e) = &mut found {
            self.open_evening_note(e).await?;
        }
        Ok(found)
    }

    async fn start_evening(
        &self,
        couple: CoupleId,
        by: UserId,
        now: Timestamp,
        ends_at: Timestamp,
    ) -> StoreResult<Option<EveningId>> {
        self.inner.start_evening(couple, by, now, ends_at).await
    }

    async fn join_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        self.inner.join_evening(couple, id, by, now).await
    }

    async fn end_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        self.inner.end_evening(couple, id, by, now).await
    }

    async fn note_evening(
        &self,
        couple: CoupleId,
        id: EveningId,
        by: UserId,
        note: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let note = self.vault.seal(by, note).await?;
        self.inner.note_evening(couple, id, by, &note, now).await
    }

    async fn evening(&self, couple: CoupleId, id: EveningId) -> StoreResult<Option<Evening>> {
        let mut found = self.inner.evening(couple, id).await?;
        if let Some(e) = &mut found {
            self.open_evening_note(e).await?;
        }
        Ok(found)
    }

    async fn evenings_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Evening>> {
        let mut all = self.inner.evenings_since(couple, since).await?;
        for e in &mut all {
            self.open_evening_note(e).await?;
        }
        Ok(all)
    }
}

#[async_trait]
impl Reminders for SealedStore {
    async fn reminder_choices(&self, user: UserId) -> StoreResult<Choices> {
        self.inner.reminder_choices(user).await
    }

    async fn save_reminder_choices(&self, user: UserId, choices: &Choices, now: Timestamp) -> StoreResult<()> {
        self.inner.save_reminder_choices(user, choices, now).await
    }

    async fn stop_email(&self, user: UserId, now: Timestamp) -> StoreResult<()> {
        self.inner.stop_email(user, now).await
    }

    async fn save_push_subscription(
        &self,
        user: UserId,
        sub: &NewPushSubscription,
        now: Timestamp,
    ) -> StoreResult<PushSubscriptionId> {
        self.inner.save_push_subscription(user, sub, now).await
    }

    async fn push_subscriptions(&self, user: UserId) -> StoreResult<Vec<PushSubscription>> {
        self.inner.push_subscriptions(user).await
    }

    async fn delete_push_subscription(&self, user: UserId, id: PushSubscriptionId) -> StoreResult<bool> {
        self.inner.delete_push_subscription(user, id).await
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        self.inner.forget_push_endpoint(endpoint).await
    }

    async fn set_calendar_token(&self, user: UserId, hash: Option<&SecretHash>, now: Timestamp) -> StoreResult<()> {
        self.inner.set_calendar_token(user, hash, now).await
    }

    async fn calendar_token_made(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        self.inner.calendar_token_made(user).await
    }

    async fn calendar_owner(&self, hash: &SecretHash) -> StoreResult<Option<User>> {
        self.inner.calendar_owner(hash).await
    }

    async fn reminder_candidates(&self) -> StoreResult<Vec<Candidate>> {
        self.inner.reminder_candidates().await
    }

    async fn queue_reminder(&self, reminder: &NewReminder) -> StoreResult<bool> {
        self.inner.queue_reminder(reminder).await
    }

    async fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<QueuedReminder>> {
        self.inner.claim_reminders(now, lease_until, limit).await
    }

    async fn settle_reminder(&self, id: ReminderId, settled: &Settled, now: Timestamp) -> StoreResult<()> {
        self.inner.settle_reminder(id, settled, now).await
    }

    async fn take_reminder_slot(&self, user: UserId, day: Date, max: u32, reminder: ReminderId) -> StoreResult<bool> {
        self.inner.take_reminder_slot(user, day, max, reminder).await
    }

    async fn reminders_sent(&self, user: UserId, since: Timestamp) -> StoreResult<Vec<SentReminder>> {
        self.inner.reminders_sent(user, since).await
    }

    async fn record_nudge(
        &self,
        couple: CoupleId,
        from: UserId,
        practice: Practice,
        day: Date,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.record_nudge(couple, from, practice, day, now).await
    }

    async fn nudges_since(
        &self,
        couple: CoupleId,
        since: Timestamp,
    ) -> StoreResult<Vec<(UserId, Practice, Timestamp)>> {
        self.inner.nudges_since(couple, since).await
    }

    async fn prune_reminders(&self, before: Timestamp, day_before: Date) -> StoreResult<u64> {
        self.inner.prune_reminders(before, day_before).await
    }

    async fn claim_job(&self, name: &str, now: Timestamp, next: Timestamp) -> StoreResult<bool> {
        self.inner.claim_job(name, now, next).await
    }

    async fn instance_secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        self.inner.instance_secret(name, fresh).await
    }
}

impl SealedStore {
    /// A photo's caption is its owner's words, its reply the replier's.
    async fn open_photo(&self, mut p: PhotoRecord) -> StoreResult<PhotoRecord> {
        p.caption = self.vault.open_text(p.owner, std::mem::take(&mut p.caption)).await?;
        if let Some(by) = p.replied_by {
            p.reply = self.vault.open_text(by, std::mem::take(&mut p.reply)).await?;
        }
        Ok(p)
    }

    async fn open_photos(&self, photos: Vec<PhotoRecord>) -> StoreResult<Vec<PhotoRecord>> {
        let mut out = Vec::with_capacity(photos.len());
        for p in photos {
            out.push(self.open_photo(p).await?);
        }
        Ok(out)
    }
}

#[async_trait]
impl Photos for SealedStore {
    async fn add_photo(&self, photo: &PhotoRecord, max_picks: i64) -> StoreResult<bool> {
        let mut sealed = photo.clone();
        sealed.caption = self.vault.seal(photo.owner, &photo.caption).await?;
        self.inner.add_photo(&sealed, max_picks).await
    }

    async fn photo(&self, couple: CoupleId, id: &PhotoId) -> StoreResult<Option<PhotoRecord>> {
        match self.inner.photo(couple, id).await? {
            Some(p) => Ok(Some(self.open_photo(p).await?)),
            None => Ok(None),
        }
    }

    async fn waiting_picks(&self, couple: CoupleId, owner: UserId) -> StoreResult<Vec<PhotoRecord>> {
        self.open_photos(self.inner.waiting_picks(couple, owner).await?).await
    }

    async fn waiting_counts(&self, couple: CoupleId) -> StoreResult<Vec<(UserId, i64)>> {
        self.inner.waiting_counts(couple).await
    }

    async fn show_and_tell_photos(&self, couple: CoupleId, id: ShowAndTellId) -> StoreResult<Vec<PhotoRecord>> {
        self.open_photos(self.inner.show_and_tell_photos(couple, id).await?).await
    }

    async fn shown_photos(&self, couple: CoupleId) -> StoreResult<Vec<PhotoRecord>> {
        self.open_photos(self.inner.shown_photos(couple).await?).await
    }

    async fn photos_shown_between(
        &self,
        couple: CoupleId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<PhotoRecord>> {
        self.open_photos(self.inner.photos_shown_between(couple, from, to).await?).await
    }

    async fn caption_photo(&self, couple: CoupleId, id: &PhotoId, owner: UserId, caption: &str) -> StoreResult<bool> {
        let sealed = self.vault.seal(owner, caption).await?;
        self.inner.caption_photo(couple, id, owner, &sealed).await
    }

    async fn reply_to_photo(
        &self,
        couple: CoupleId,
        id: &PhotoId,
        by: UserId,
        reaction: Option<&str>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sealed = self.vault.seal(by, reply).await?;
        self.inner.reply_to_photo(couple, id, by, reaction, &sealed, now).await
    }

    async fn delete_photo(&self, couple: CoupleId, id: &PhotoId, owner: UserId) -> StoreResult<bool> {
        self.inner.delete_photo(couple, id, owner).await
    }

    async fn photo_ids(&self, couple: CoupleId) -> StoreResult<Vec<PhotoId>> {
        self.inner.photo_ids(couple).await
    }

    async fn existing_photos(&self, ids: &[PhotoId]) -> StoreResult<Vec<PhotoId>> {
        self.inner.existing_photos(ids).await
    }

    async fn start_show_and_tell(
        &self,
        couple: CoupleId,
        by: UserId,
        first_teller: UserId,
        now: Timestamp,
    ) -> StoreResult<Option<ShowAndTellId>> {
        self.inner.start_show_and_tell(couple, by, first_teller, now).await
    }

    async fn open_show_and_tell(&self, couple: CoupleId) -> StoreResult<Option<StoredShowAndTell>> {
        self.inner.open_show_and_tell(couple).await
    }

    async fn show_and_tell(&self, couple: CoupleId, id: ShowAndTellId) -> StoreResult<Option<StoredShowAndTell>> {
        self.inner.show_and_tell(couple, id).await
    }

    async fn advance_show_and_tell(
        &self,
        couple: CoupleId,
        id: ShowAndTellId,
        from: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.advance_show_and_tell(couple, id, from, now).await
    }

    async fn show_and_tells(&self, couple: CoupleId) -> StoreResult<Vec<StoredShowAndTell>> {
        self.inner.show_and_tells(couple).await
    }
}

#[async_trait]
impl Reflections for SealedStore {
    async fn save_intimacy_map(&self, record: &MapRecord) -> StoreResult<i64> {
        let mut ratings = Vec::with_capacity(record.ratings.len());
        for r in &record.ratings {
            ratings.push(Rating { words: self.vault.seal(record.author, &r.words).await?, ..r.clone() });
        }
        self.inner.save_intimacy_map(&MapRecord { ratings, ..record.clone() }).await
    }

    async fn intimacy_ratings(&self, couple: CoupleId) -> StoreResult<Vec<StoredRating>> {
        let mut out = self.inner.intimacy_ratings(couple).await?;
        for r in &mut out {
            r.rating.words = self.vault.open_text(r.author, std::mem::take(&mut r.rating.words)).await?;
        }
        Ok(out)
    }

    async fn save_state_of_us(&self, record: &StateOfUsRecord) -> StoreResult<()> {
        let v = &self.vault;
        // The feeling is one word from the fixed list everyone is offered, not the person's own
        // words, so it stays plain.
        let sealed = StateOfUsRecord {
            went_well: v.seal(record.author, &record.went_well).await?,
            need_more: v.seal(record.author, &record.need_more).await?,
            need_less: v.seal(record.author, &record.need_less).await?,
            topic: v.seal(record.author, &record.topic).await?,
            ..record.clone()
        };
        self.inner.save_state_of_us(&sealed).await
    }

    async fn states_of_us(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<StateOfUs>> {
        let mut out = self.inner.states_of_us(couple, from, to).await?;
        for s in &mut out {
            self.open_state_of_us(s).await?;
        }
        Ok(out)
    }

    async fn closeness_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<ClosenessMark>> {
        self.inner.closeness_between(couple, from, to).await
    }

    async fn appreciation_marks(
        &self,
        couple: CoupleId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<AppreciationMark>> {
        self.inner.appreciation_marks(couple, from, to).await
    }

    async fn felt_marks(
        &self,
        couple: CoupleId,
        author: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<FeltMark>> {
        self.inner.felt_marks(couple, author, from, to).await
    }

    async fn help_hint_off(&self, user: UserId) -> StoreResult<bool> {
        self.inner.help_hint_off(user).await
    }

    async fn set_help_hint_off(&self, user: UserId, off: bool, now: Timestamp) -> StoreResult<()> {
        self.inner.set_help_hint_off(user, off, now).await
    }
}

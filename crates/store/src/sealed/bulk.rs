//! Bulk writes behind the vault: each word is sealed with the key the single-row write it
//! mirrors uses (a check-in's and an appreciation's with the author's, a reply with the
//! recipient's, an answer and its response with the one who wrote them). Hugs, conversations
//! and draws hold no words of anyone's.

use super::SealedStore;
use async_trait::async_trait;
use tend_domain::check_in::CheckInRecord;
use tend_domain::store::StoreResult;
use tend_domain::store::bulk::{Bulk, PastAppreciation, PastConversation, PastDraw, PastExchange, PastHug};

#[async_trait]
impl Bulk for SealedStore {
    async fn add_check_ins_bulk(&self, records: &[CheckInRecord]) -> StoreResult<u64> {
        let v = &self.vault;
        let mut sealed = Vec::with_capacity(records.len());
        for r in records {
            sealed.push(CheckInRecord {
                high: v.seal(r.author, &r.high).await?,
                low: v.seal(r.author, &r.low).await?,
                need: v.seal(r.author, &r.need).await?,
                ..r.clone()
            });
        }
        self.inner.add_check_ins_bulk(&sealed).await
    }

    async fn add_appreciations_bulk(&self, records: &[PastAppreciation]) -> StoreResult<u64> {
        let v = &self.vault;
        let mut sealed = Vec::with_capacity(records.len());
        for r in records {
            let mut s = r.clone();
            s.record.body = v.seal(r.record.author, &r.record.body).await?;
            s.reply = v.seal(r.record.recipient, &r.reply).await?;
            sealed.push(s);
        }
        self.inner.add_appreciations_bulk(&sealed).await
    }

    async fn add_hugs_bulk(&self, hugs: &[PastHug]) -> StoreResult<u64> {
        self.inner.add_hugs_bulk(hugs).await
    }

    async fn add_conversations_bulk(&self, conversations: &[PastConversation]) -> StoreResult<u64> {
        self.inner.add_conversations_bulk(conversations).await
    }

    async fn add_exchanges_bulk(&self, exchanges: &[PastExchange]) -> StoreResult<u64> {
        let v = &self.vault;
        let mut sealed = Vec::with_capacity(exchanges.len());
        for x in exchanges {
            let mut s = x.clone();
            for a in &mut s.answers {
                a.body = v.seal(a.author, &a.body).await?;
                a.reply_words = v.seal(a.author, &a.reply_words).await?;
            }
            sealed.push(s);
        }
        self.inner.add_exchanges_bulk(&sealed).await
    }

    async fn add_question_draws_bulk(&self, draws: &[PastDraw]) -> StoreResult<u64> {
        self.inner.add_question_draws_bulk(draws).await
    }
}

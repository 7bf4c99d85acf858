//! Play behind the vault: an own idea's words and a "how was it?" note are sealed with their
//! author's key. Marks, matches and plans hold no words of anyone's.

use super::SealedStore;
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::ids::{CoupleId, OwnIdeaId, PlanId, UserId};
use tend_domain::play::{Match, MyMark, OwnIdea, Plan};
use tend_domain::store::StoreResult;
use tend_domain::store::play::{AfterwardsRecord, MarkChange, MarkRecord, NewOwnIdea, NewPlan, Play};

impl SealedStore {
    async fn open_plan(&self, p: &mut Plan) -> StoreResult<()> {
        for a in &mut p.afterwards {
            a.note = self.vault.open_text(a.author, std::mem::take(&mut a.note)).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Play for SealedStore {
    async fn add_own_idea(&self, idea: &NewOwnIdea) -> StoreResult<OwnIdeaId> {
        let sealed = NewOwnIdea {
            title: self.vault.seal(idea.author, &idea.title).await?,
            detail: self.vault.seal(idea.author, &idea.detail).await?,
            ..idea.clone()
        };
        self.inner.add_own_idea(&sealed).await
    }

    async fn own_ideas(&self, couple: CoupleId, viewer: UserId) -> StoreResult<Vec<OwnIdea>> {
        let mut out = self.inner.own_ideas(couple, viewer).await?;
        for o in &mut out {
            o.title = self.vault.open_text(o.author, std::mem::take(&mut o.title)).await?;
            o.detail = self.vault.open_text(o.author, std::mem::take(&mut o.detail)).await?;
        }
        Ok(out)
    }

    async fn share_own_idea(
        &self,
        couple: CoupleId,
        id: OwnIdeaId,
        author: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.share_own_idea(couple, id, author, now).await
    }

    async fn set_mark(&self, record: &MarkRecord) -> StoreResult<MarkChange> {
        self.inner.set_mark(record).await
    }

    async fn marks_of(&self, couple: CoupleId, author: UserId) -> StoreResult<Vec<MyMark>> {
        self.inner.marks_of(couple, author).await
    }

    async fn matches(&self, couple: CoupleId) -> StoreResult<Vec<Match>> {
        self.inner.matches(couple).await
    }

    async fn propose_plan(&self, plan: &NewPlan) -> StoreResult<Option<PlanId>> {
        self.inner.propose_plan(plan).await
    }

    async fn accept_plan(&self, couple: CoupleId, id: PlanId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        self.inner.accept_plan(couple, id, by, now).await
    }

    async fn cancel_plan(&self, couple: CoupleId, id: PlanId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        self.inner.cancel_plan(couple, id, by, now).await
    }

    async fn plans(&self, couple: CoupleId) -> StoreResult<Vec<Plan>> {
        let mut out = self.inner.plans(couple).await?;
        for p in &mut out {
            self.open_plan(p).await?;
        }
        Ok(out)
    }

    async fn plan(&self, couple: CoupleId, id: PlanId) -> StoreResult<Option<Plan>> {
        let mut out = self.inner.plan(couple, id).await?;
        if let Some(p) = &mut out {
            self.open_plan(p).await?;
        }
        Ok(out)
    }

    async fn save_afterwards(&self, record: &AfterwardsRecord) -> StoreResult<bool> {
        let sealed = AfterwardsRecord { note: self.vault.seal(record.author, &record.note).await?, ..record.clone() };
        self.inner.save_afterwards(&sealed).await
    }
}

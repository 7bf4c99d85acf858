//! Goals behind the vault: a goal's words are sealed with its owner's key, a cheer's with its
//! author's, a progress note with the owner's. Reactions and dates hold no one's words.

use super::SealedStore;
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::goals::{Cheer, DueAsk, Goal, GoalDetail, ProgressReaction};
use tend_domain::ids::{CheerId, CoupleId, GoalId, ProgressId, UserId};
use tend_domain::store::StoreResult;
use tend_domain::store::goals::{GoalChange, Goals, NewCheer, NewGoal, NewProgress};

impl SealedStore {
    async fn open_goal(&self, g: &mut Goal) -> StoreResult<()> {
        let v = &self.vault;
        g.title = v.open_text(g.owner, std::mem::take(&mut g.title)).await?;
        g.why = v.open_text(g.owner, std::mem::take(&mut g.why)).await?;
        g.next_step = v.open_text(g.owner, std::mem::take(&mut g.next_step)).await?;
        Ok(())
    }

    async fn open_cheer(&self, c: &mut Cheer) -> StoreResult<()> {
        c.words = self.vault.open_text(c.author, std::mem::take(&mut c.words)).await?;
        Ok(())
    }
}

#[async_trait]
impl Goals for SealedStore {
    async fn create_goal(&self, goal: &NewGoal) -> StoreResult<GoalId> {
        let v = &self.vault;
        let sealed = NewGoal {
            title: v.seal(goal.owner, &goal.title).await?,
            why: v.seal(goal.owner, &goal.why).await?,
            next_step: v.seal(goal.owner, &goal.next_step).await?,
            ..goal.clone()
        };
        self.inner.create_goal(&sealed).await
    }

    async fn update_goal(
        &self,
        couple: CoupleId,
        id: GoalId,
        owner: UserId,
        change: &GoalChange,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let v = &self.vault;
        let sealed = GoalChange {
            title: v.seal(owner, &change.title).await?,
            why: v.seal(owner, &change.why).await?,
            next_step: v.seal(owner, &change.next_step).await?,
            ..change.clone()
        };
        self.inner.update_goal(couple, id, owner, &sealed, now).await
    }

    async fn finish_goal(&self, couple: CoupleId, id: GoalId, owner: UserId, now: Timestamp) -> StoreResult<bool> {
        self.inner.finish_goal(couple, id, owner, now).await
    }

    async fn delete_goal(&self, couple: CoupleId, id: GoalId, owner: UserId) -> StoreResult<bool> {
        self.inner.delete_goal(couple, id, owner).await
    }

    async fn goals(&self, couple: CoupleId, viewer: UserId) -> StoreResult<Vec<Goal>> {
        let mut out = self.inner.goals(couple, viewer).await?;
        for g in &mut out {
            self.open_goal(g).await?;
        }
        Ok(out)
    }

    async fn goal(&self, couple: CoupleId, id: GoalId, viewer: UserId) -> StoreResult<Option<GoalDetail>> {
        let Some(mut d) = self.inner.goal(couple, id, viewer).await? else { return Ok(None) };
        self.open_goal(&mut d.goal).await?;
        for c in &mut d.cheers {
            self.open_cheer(c).await?;
        }
        for p in &mut d.progress {
            p.note = self.vault.open_text(d.goal.owner, std::mem::take(&mut p.note)).await?;
        }
        Ok(Some(d))
    }

    async fn add_cheer(&self, cheer: &NewCheer) -> StoreResult<Option<CheerId>> {
        let sealed = NewCheer { words: self.vault.seal(cheer.author, &cheer.words).await?, ..cheer.clone() };
        self.inner.add_cheer(&sealed).await
    }

    async fn accept_help(
        &self,
        couple: CoupleId,
        goal: GoalId,
        cheer: CheerId,
        owner: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.accept_help(couple, goal, cheer, owner, now).await
    }

    async fn add_progress(&self, progress: &NewProgress) -> StoreResult<Option<ProgressId>> {
        let sealed = NewProgress { note: self.vault.seal(progress.owner, &progress.note).await?, ..progress.clone() };
        self.inner.add_progress(&sealed).await
    }

    async fn react_to_progress(
        &self,
        couple: CoupleId,
        goal: GoalId,
        progress: ProgressId,
        by: UserId,
        reaction: Option<ProgressReaction>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.inner.react_to_progress(couple, goal, progress, by, reaction, now).await
    }

    async fn asks_between(&self, couple: CoupleId, asker: UserId, from: Date, to: Date) -> StoreResult<Vec<DueAsk>> {
        let mut out = self.inner.asks_between(couple, asker, from, to).await?;
        for a in &mut out {
            self.open_goal(&mut a.goal).await?;
            self.open_cheer(&mut a.cheer).await?;
        }
        Ok(out)
    }
}

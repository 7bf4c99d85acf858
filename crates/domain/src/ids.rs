//! Newtype ids, so a couple id can never be passed where a user id belongs.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id!(
    UserId,
    CoupleId,
    SessionId,
    ApiTokenId,
    InviteId,
    AppreciationId,
    ConversationId,
    ListeningId,
    ExchangeId,
    EveningId,
    PushSubscriptionId,
    ReminderId,
    ShowAndTellId,
    OwnIdeaId,
    PlanId,
    GoalId,
    CheerId,
    ProgressId
);

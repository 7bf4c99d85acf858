//! The vulnerability ladder: how deep a couple's questions go, and the rule that a deeper
//! level opens only when both partners say they are ready.
//!
//! A couple starts at depth 1. After [`LadderRules::exchanges_before_asking`] completed
//! exchanges at their depth (both answered, both responded), each partner is asked, privately,
//! "Ready to go a little deeper?". The next depth opens only when both have said yes at this
//! depth. Either partner may step back a level at any time, privately and without a reason;
//! stepping back clears every pending yes and the count, and records nothing about who did it,
//! so what a partner can observe afterwards ([`Ladder::seen_by`]) is the same whoever stepped
//! back and whether or not anyone had been asked.

/// Thresholds, as domain configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LadderRules {
    pub exchanges_before_asking: u32,
    pub deepest: u8,
}

impl Default for LadderRules {
    fn default() -> Self {
        Self { exchanges_before_asking: 7, deepest: 3 }
    }
}

/// One of the two partners, by seat: the couple's first and second member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    First,
    Second,
}

impl Seat {
    fn index(self) -> usize {
        match self {
            Self::First => 0,
            Self::Second => 1,
        }
    }
}

/// A couple's place on the ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ladder {
    pub depth: u8,
    /// Exchanges completed at this depth since it opened (or since the last step back).
    pub completed: u32,
    /// Who has said "ready" at this depth; private to each.
    ready: [bool; 2],
}

impl Default for Ladder {
    fn default() -> Self {
        Self { depth: 1, completed: 0, ready: [false, false] }
    }
}

/// What one partner can see of the ladder: never the other's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LadderView {
    pub depth: u8,
    pub completed: u32,
    /// Whether to ask this partner "Ready to go a little deeper?" now.
    pub ask_me: bool,
    /// This partner has said yes and waits (without knowing for whom).
    pub i_said_ready: bool,
}

impl Ladder {
    /// A stored ladder; `ready` as kept for the first and second seat.
    pub fn from_parts(depth: u8, completed: u32, ready: [bool; 2], rules: LadderRules) -> Self {
        Self { depth: depth.clamp(1, rules.deepest), completed, ready }
    }

    pub fn ready(&self) -> [bool; 2] {
        self.ready
    }

    fn may_ask(&self, rules: LadderRules) -> bool {
        self.depth < rules.deepest && self.completed >= rules.exchanges_before_asking
    }

    pub fn seen_by(&self, seat: Seat, rules: LadderRules) -> LadderView {
        let mine = self.ready[seat.index()];
        LadderView {
            depth: self.depth,
            completed: self.completed,
            ask_me: self.may_ask(rules) && !mine,
            i_said_ready: mine,
        }
    }

    /// An exchange at the couple's current depth was completed.
    pub fn complete_exchange(&mut self, at_depth: u8) {
        if at_depth == self.depth {
            self.completed = self.completed.saturating_add(1);
        }
    }

    /// A partner says "ready". Only counts once asked; saying it twice changes nothing. Returns
    /// whether a deeper level opened.
    pub fn say_ready(&mut self, seat: Seat, rules: LadderRules) -> bool {
        if !self.may_ask(rules) {
            return false;
        }
        self.ready[seat.index()] = true;
        if self.ready == [true, true] {
            *self = Self { depth: self.depth + 1, completed: 0, ready: [false, false] };
            return true;
        }
        false
    }

    /// A partner takes back their "ready" (or says "not yet"): private, and nothing changes
    /// that the other can see.
    pub fn not_yet(&mut self, seat: Seat) {
        self.ready[seat.index()] = false;
    }

    /// Either partner steps back one level, never below 1. Whoever does it, the result is the
    /// same.
    pub fn step_back(&mut self) {
        *self = Self { depth: self.depth.saturating_sub(1).max(1), completed: 0, ready: [false, false] };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RULES: LadderRules = LadderRules { exchanges_before_asking: 7, deepest: 3 };

    #[test]
    fn a_level_opens_after_seven_exchanges_and_two_yeses() {
        let mut l = Ladder::default();
        for _ in 0..6 {
            l.complete_exchange(1);
        }
        assert!(!l.seen_by(Seat::First, RULES).ask_me, "not before seven");
        assert!(!l.say_ready(Seat::First, RULES), "a yes before being asked does not count");
        l.complete_exchange(1);
        assert!(l.seen_by(Seat::First, RULES).ask_me && l.seen_by(Seat::Second, RULES).ask_me);
        assert!(!l.say_ready(Seat::First, RULES));
        assert!(!l.say_ready(Seat::First, RULES), "twice is once");
        assert_eq!(l.depth, 1);
        assert!(l.seen_by(Seat::First, RULES).i_said_ready && !l.seen_by(Seat::Second, RULES).i_said_ready);
        assert!(l.say_ready(Seat::Second, RULES));
        assert_eq!((l.depth, l.completed), (2, 0));
        l.complete_exchange(1);
        assert_eq!(l.completed, 0, "an old-depth exchange doesn't count toward the next");
    }

    #[test]
    fn stepping_back_stops_at_one_and_the_top_asks_nothing() {
        let mut l = Ladder::default();
        l.step_back();
        assert_eq!(l.depth, 1);
        let mut top = Ladder::from_parts(3, 50, [false, false], RULES);
        assert!(!top.seen_by(Seat::First, RULES).ask_me);
        assert!(!top.say_ready(Seat::First, RULES));
        top.step_back();
        assert_eq!((top.depth, top.completed), (2, 0));
    }

    #[derive(Clone, Copy, Debug)]
    enum Act {
        Complete(u8),
        Ready(Seat),
        NotYet(Seat),
        StepBack,
    }

    fn seat() -> impl Strategy<Value = Seat> {
        prop_oneof![Just(Seat::First), Just(Seat::Second)]
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            6 => (1u8..=3).prop_map(Act::Complete),
            2 => seat().prop_map(Act::Ready),
            1 => seat().prop_map(Act::NotYet),
            1 => Just(Act::StepBack),
        ]
    }

    proptest! {
        /// No sequence of actions opens a depth unless both partners said yes at the depth
        /// below, after being asked, since it last changed.
        #[test]
        fn no_depth_opens_without_both_yeses(acts in prop::collection::vec(act(), 0..200)) {
            let mut l = Ladder::default();
            let mut yes = [false, false];
            for a in acts {
                let before = l;
                match a {
                    Act::Complete(d) => l.complete_exchange(d),
                    Act::Ready(s) => {
                        let asked = before.seen_by(s, RULES).ask_me || before.seen_by(s, RULES).i_said_ready;
                        l.say_ready(s, RULES);
                        if asked { yes[s.index()] = true; }
                    }
                    Act::NotYet(s) => { l.not_yet(s); yes[s.index()] = false; }
                    Act::StepBack => l.step_back(),
                }
                prop_assert!((1..=RULES.deepest).contains(&l.depth));
                if l.depth > before.depth {
                    prop_assert_eq!(l.depth, before.depth + 1);
                    prop_assert!(yes == [true, true], "opened without both: {:?}", a);
                    prop_assert!(before.completed >= RULES.exchanges_before_asking);
                }
                if l.depth != before.depth || matches!(a, Act::StepBack) {
                    yes = [false, false];
                }
            }
        }

        /// Whoever steps back, and whatever either had said, each partner then sees the same.
        #[test]
        fn nothing_tells_who_stepped_back(
            acts in prop::collection::vec(act(), 0..120),
            ready_first in any::<bool>(),
            ready_second in any::<bool>(),
        ) {
            let mut l = Ladder::default();
            for a in acts {
                match a {
                    Act::Complete(d) => l.complete_exchange(d),
                    Act::Ready(s) => { l.say_ready(s, RULES); }
                    Act::NotYet(s) => l.not_yet(s),
                    Act::StepBack => l.step_back(),
                }
            }
            // Two histories that differ only in who had said ready and who stepped back.
            let mut one = Ladder::from_parts(l.depth, l.completed, [ready_first, false], RULES);
            let mut two = Ladder::from_parts(l.depth, l.completed, [false, ready_second], RULES);
            one.step_back();
            two.step_back();
            for s in [Seat::First, Seat::Second] {
                prop_assert_eq!(one.seen_by(s, RULES), two.seen_by(s, RULES));
            }
            prop_assert_eq!(one, two);
        }
    }
}

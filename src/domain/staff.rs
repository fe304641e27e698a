//! Staff roles and who may open which staff page.

use super::text_enum::text_enum;

text_enum!(StaffRole {
    Counter = "counter" / "Accueil",
    Pizzaiolo = "pizzaiolo" / "Pizzaiolo",
    Driver = "driver" / "Livreur",
    Manager = "manager" / "Gérant",
});

/// What a signed-in person is at one pizzeria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A member of this pizzeria's team, with their role.
    Member(StaffRole),
    /// The group's direction: every pizzeria, every screen.
    GroupAdmin,
}

impl Access {
    /// From a person's account: their membership at this pizzeria (if any) and whether they
    /// are a group admin. A member of another pizzeria has no access here.
    pub fn of(role_here: Option<StaffRole>, is_admin: bool) -> Option<Access> {
        match (role_here, is_admin) {
            (_, true) => Some(Access::GroupAdmin),
            (Some(role), false) => Some(Access::Member(role)),
            (None, false) => None,
        }
    }

    /// Whether this access opens the pages of `role`: its own, and every page for the
    /// pizzeria's manager and the group admin.
    pub fn covers(self, role: StaffRole) -> bool {
        match self {
            Access::GroupAdmin | Access::Member(StaffRole::Manager) => true,
            Access::Member(mine) => mine == role,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Access::Member(role) => role.label(),
            Access::GroupAdmin => "Direction",
        }
    }
}

impl StaffRole {
    /// Who may open a page reserved to `self`, as a French sentence for the refusal.
    pub fn reserved_to(self) -> &'static str {
        match self {
            StaffRole::Counter => {
                "Cette page est réservée à l'accueil et au gérant de la pizzeria."
            }
            StaffRole::Pizzaiolo => {
                "Cette page est réservée aux pizzaiolos et au gérant de la pizzeria."
            }
            StaffRole::Driver => {
                "Cette page est réservée aux livreurs et au gérant de la pizzeria."
            }
            StaffRole::Manager => "Cette page est réservée au gérant de la pizzeria.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_opens_its_own_pages_and_the_manager_opens_all() {
        for &role in StaffRole::ALL {
            let me = Access::Member(role);
            for &page in StaffRole::ALL {
                let expected = role == page || role == StaffRole::Manager;
                assert_eq!(me.covers(page), expected, "{role} on {page}");
            }
            assert!(Access::GroupAdmin.covers(role));
        }
    }

    #[test]
    fn a_member_elsewhere_has_no_access_here_but_an_admin_has() {
        assert_eq!(Access::of(None, false), None);
        assert_eq!(Access::of(None, true), Some(Access::GroupAdmin));
        assert_eq!(
            Access::of(Some(StaffRole::Driver), false),
            Some(Access::Member(StaffRole::Driver))
        );
    }
}

//! Customer accounts: the one-time links sent by e-mail, and what is left of an account once
//! its owner has it deleted.

use super::text_enum::text_enum;

text_enum!(LinkPurpose {
    ConfirmEmail = "confirm_email" / "Confirmer l'adresse e-mail",
    ResetPassword = "reset_password" / "Choisir un nouveau mot de passe",
});

impl LinkPurpose {
    /// How long a link stays valid, in minutes.
    pub fn lifetime_minutes(self) -> i64 {
        match self {
            LinkPurpose::ConfirmEmail => 24 * 60,
            LinkPurpose::ResetPassword => 60,
        }
    }
}

/// What a deleted account's orders and row keep instead of the person's identity.
pub const DELETED_NAME: &str = "Compte supprimé";
pub const DELETED_CUSTOMER: &str = "Client supprimé";

/// The address a deleted account's row is left with: unique, and never anyone's.
pub fn deleted_email(user_id: i64) -> String {
    format!("supprime-{user_id}@invalid.ocpizza.fr")
}

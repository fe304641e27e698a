//! The domain's own types as column types: typed ids and money are BIGINT, tokens and enums
//! are TEXT. Rows carry `PizzeriaId`, `Money`, `OrderStatus`… and never re-wrap raw values.
//! A stored text that is not a known value fails to load, instead of passing for another one.

use crate::domain::account::LinkPurpose;
use crate::domain::catalog::ProductKind;
use crate::domain::ids::{
    AddressId, IngredientId, OrderId, PaymentId, PizzeriaId, ProductId, UserId,
};
use crate::domain::money::Money;
use crate::domain::order::{Actor, Channel, Fulfilment, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::staff::StaffRole;
use crate::domain::stock::{MovementReason, Unit};
use crate::domain::token::{CheckoutKey, OrderToken, SessionId};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::{AsExpression, FromSqlRow};

/// Newtypes over an `i64`, stored as BIGINT.
macro_rules! bigint_columns {
    ($($ty:ident => $proxy:ident),* $(,)?) => {$(
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive, sql_type = BigInt)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl<DB: Backend> ToSql<BigInt, DB> for $ty
        where
            i64: ToSql<BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <i64 as ToSql<BigInt, DB>>::to_sql(&self.0, out)
            }
        }

        impl<DB: Backend> FromSql<BigInt, DB> for $ty
        where
            i64: FromSql<BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, DB>>::from_sql(bytes).map($ty)
            }
        }
    )*};
}

bigint_columns!(
    PizzeriaId => PizzeriaIdColumn,
    UserId => UserIdColumn,
    IngredientId => IngredientIdColumn,
    ProductId => ProductIdColumn,
    OrderId => OrderIdColumn,
    PaymentId => PaymentIdColumn,
    AddressId => AddressIdColumn,
    Money => MoneyColumn,
);

/// Types stored as TEXT: `$text` gives the stored text, `$parse` reads it back.
macro_rules! text_columns {
    ($($ty:ident => $proxy:ident, $text:expr, $parse:expr;)*) => {$(
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive, sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                let text: fn(&$ty) -> &str = $text;
                <str as ToSql<Text, DB>>::to_sql(text(self), out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let stored = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&stored).ok_or_else(|| {
                    format!("{stored:?} is not a stored {}", stringify!($ty)).into()
                })
            }
        }
    )*};
}

text_columns! {
    OrderStatus => OrderStatusColumn, |v| v.as_str(), OrderStatus::parse;
    PaymentStatus => PaymentStatusColumn, |v| v.as_str(), PaymentStatus::parse;
    PaymentMethod => PaymentMethodColumn, |v| v.as_str(), PaymentMethod::parse;
    Fulfilment => FulfilmentColumn, |v| v.as_str(), Fulfilment::parse;
    Channel => ChannelColumn, |v| v.as_str(), Channel::parse;
    Actor => ActorColumn, |v| v.as_str(), Actor::parse;
    Unit => UnitColumn, |v| v.as_str(), Unit::parse;
    MovementReason => MovementReasonColumn, |v| v.as_str(), MovementReason::parse;
    StaffRole => StaffRoleColumn, |v| v.as_str(), StaffRole::parse;
    ProductKind => ProductKindColumn, |v| v.as_str(), ProductKind::parse;
    LinkPurpose => LinkPurposeColumn, |v| v.as_str(), LinkPurpose::parse;
    OrderToken => OrderTokenColumn, |v| v.as_str(), |s| OrderToken::parse(s).ok();
    CheckoutKey => CheckoutKeyColumn, |v| v.as_str(), |s| CheckoutKey::parse(s).ok();
    SessionId => SessionIdColumn, |v| v.as_str(), |s| SessionId::parse(s).ok();
}

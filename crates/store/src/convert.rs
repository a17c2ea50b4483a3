//! Conversions between Rust values and the portable column types: times are whole Unix
//! seconds in `INTEGER` columns, counts are `INTEGER`.

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSqlError, Type};
use rusqlite::Row;

pub fn seconds(time: DateTime<Utc>) -> i64 {
    time.timestamp()
}

pub fn opt_seconds(time: Option<DateTime<Utc>>) -> Option<i64> {
    time.map(seconds)
}

/// Counts and sizes beyond `i64::MAX` cannot occur in practice; saturate rather than wrap.
pub fn to_i64<T: TryInto<i64>>(value: T) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

pub fn time(row: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let value: i64 = row.get(index)?;
    time_from(index, value)
}

pub fn opt_time(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    row.get::<_, Option<i64>>(index)?
        .map(|value| time_from(index, value))
        .transpose()
}

fn time_from(index: usize, value: i64) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::from_timestamp(value, 0).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            Type::Integer,
            Box::new(FromSqlError::OutOfRange(value)),
        )
    })
}

/// A non-negative integer column (count, size, status) as the requested unsigned type.
pub fn unsigned<T: TryFrom<i64>>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let value: i64 = row.get(index)?;
    unsigned_from(index, value)
}

pub fn opt_unsigned<T: TryFrom<i64>>(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<T>> {
    row.get::<_, Option<i64>>(index)?
        .map(|value| unsigned_from(index, value))
        .transpose()
}

fn unsigned_from<T: TryFrom<i64>>(index: usize, value: i64) -> rusqlite::Result<T> {
    T::try_from(value).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            Type::Integer,
            Box::new(FromSqlError::OutOfRange(value)),
        )
    })
}

/// A JSON text column; NULL reads as `Value::Null`.
pub fn json(row: &Row<'_>, index: usize) -> rusqlite::Result<serde_json::Value> {
    match row.get::<_, Option<String>>(index)? {
        None => Ok(serde_json::Value::Null),
        Some(text) => serde_json::from_str(&text).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
        }),
    }
}

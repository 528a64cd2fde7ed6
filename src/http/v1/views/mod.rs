//! v1 response bodies: the `…View` types that render domain and store values in Stripe's v1
//! shapes, one file per object. Views only borrow and rename: no parameters, no store calls, no
//! arithmetic beyond what a field's shape needs. Handler modules import their views from here,
//! so no handler module imports another.

pub mod coupon;
pub mod discount;
pub mod invoice;
pub mod invoice_item;
pub mod line_item;
pub mod price;
pub mod tax;

pub use coupon::CouponView;
pub use discount::{DiscountAmountView, DiscountView};
pub use invoice::InvoiceView;
pub use invoice_item::{InvoiceItemView, PeriodView};
pub use line_item::{LineItemView, line_list};
pub use price::PriceView;
pub use tax::{LegacyTaxAmountView, TaxView};

//! `#[derive(FromValue)]`: reads a typed spec from a `serde_json::Value` the model holds, the way
//! serde's derived `Deserialize` reads it, with one small function per type.
//!
//! Why not serde's derive: reading a struct through serde instantiates its visitor, its field
//! identifier and a slot per field for every deserializer, with the drop of every filled slot on
//! every error path; in the designer's wasm that was the largest part that is neither the editor
//! nor its framework. Here a struct starts from `Default` and each key of the JSON object is
//! read straight into its field by the field type's own (shared) reader.
//!
//! It follows the `#[serde(...)]` attributes the types already carry, so one spelling of each
//! field name serves both: `rename_all` (`camelCase`, `lowercase`), `rename`, `flatten`,
//! `transparent`, `default`. Attributes that would change reading in ways this derive does not
//! follow are refused at compile time, and so is a field that serde would require (neither an
//! `Option`, nor flattened, nor `#[serde(default)]`): every field here may be absent.
//! The model's tests read every example and fixture spec both ways and compare.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Error, Fields, LitStr};

#[proc_macro_derive(FromValue, attributes(serde))]
pub fn derive_from_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// What `#[serde(...)]` says about one item.
#[derive(Default)]
struct Serde {
    rename: Option<String>,
    rename_all: Option<String>,
    flatten: bool,
    transparent: bool,
    default: bool,
    skip: bool,
}

fn serde_attrs(attrs: &[syn::Attribute]) -> syn::Result<Serde> {
    let mut out = Serde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let ident = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match ident.as_str() {
                "rename" => out.rename = Some(meta.value()?.parse::<LitStr>()?.value()),
                "rename_all" => out.rename_all = Some(meta.value()?.parse::<LitStr>()?.value()),
                "flatten" => out.flatten = true,
                "transparent" => out.transparent = true,
                "default" => out.default = true,
                "skip" | "skip_deserializing" => out.skip = true,
                // Writing only: no bearing on reading.
                "skip_serializing_if" | "skip_serializing" => {
                    meta.value()?.parse::<syn::Lit>()?;
                }
                _ => {
                    return Err(meta.error(format!(
                        "FromValue does not follow `serde({ident})`: read this type by hand"
                    )))
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// A Rust name as serde's `rename_all` spells it.
fn renamed(name: &str, rule: Option<&str>, span: Span) -> syn::Result<String> {
    let name = name.strip_prefix("r#").unwrap_or(name);
    Ok(match rule {
        None => name.to_string(),
        Some("lowercase") => name.to_lowercase(),
        Some("camelCase") => {
            let mut out = String::new();
            let mut upper = false;
            for c in name.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            // serde's camelCase of a variant (PascalCase) lowers the first letter.
            let mut chars = out.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => out,
            }
        }
        Some(other) => {
            return Err(Error::new(
                span,
                format!("FromValue does not follow `rename_all = \"{other}\"`"),
            ))
        }
    })
}

/// The key a field or variant is read from: its own `rename`, else its name under `rename_all`.
fn json_name(
    rename: Option<String>,
    ident: &syn::Ident,
    rule: Option<&str>,
) -> syn::Result<String> {
    match rename {
        Some(r) => Ok(r),
        None => renamed(&ident.to_string(), rule, ident.span()),
    }
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let attrs = serde_attrs(&input.attrs)?;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    match &input.data {
        Data::Struct(data) if attrs.transparent => {
            let field = match &data.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 => quote!(0),
                Fields::Named(f) if f.named.len() == 1 => {
                    let ident = f.named[0].ident.as_ref();
                    quote!(#ident)
                }
                _ => {
                    return Err(Error::new_spanned(
                        name,
                        "transparent needs exactly one field",
                    ))
                }
            };
            Ok(quote! {
                impl #impl_generics crate::read::FromValue for #name #ty_generics #where_clause {
                    fn from_value(v: &::serde_json::Value) -> ::core::result::Result<Self, ::serde_json::Error> {
                        ::core::result::Result::Ok(Self { #field: crate::read::FromValue::from_value(v)? })
                    }
                }
                impl #impl_generics crate::read::Fields for #name #ty_generics #where_clause {
                    fn field(&mut self, key: &str, v: &::serde_json::Value) -> ::core::result::Result<bool, ::serde_json::Error> {
                        crate::read::Fields::field(&mut self.#field, key, v)
                    }
                }
            })
        }
        Data::Struct(data) => {
            let Fields::Named(fields) = &data.fields else {
                return Err(Error::new_spanned(
                    name,
                    "FromValue reads structs with named fields",
                ));
            };
            let mut arms = Vec::new();
            let mut flattened = Vec::new();
            for f in &fields.named {
                let ident = f.ident.as_ref().expect("named");
                let fa = serde_attrs(&f.attrs)?;
                if fa.skip {
                    continue;
                }
                if fa.flatten {
                    flattened.push(quote! {
                        if crate::read::Fields::field(&mut self.#ident, key, v)? {
                            return ::core::result::Result::Ok(true);
                        }
                    });
                    continue;
                }
                if !fa.default && !is_option(&f.ty) {
                    return Err(Error::new_spanned(
                        ident,
                        "serde requires this field; FromValue reads only fields that may be absent \
                         (an Option, flattened, or #[serde(default)])",
                    ));
                }
                let key = json_name(fa.rename, ident, attrs.rename_all.as_deref())?;
                arms.push(quote! {
                    #key => self.#ident = crate::read::FromValue::from_value(v)?,
                });
            }
            let what = format!("struct {name}");
            Ok(quote! {
                impl #impl_generics crate::read::FromValue for #name #ty_generics #where_clause {
                    fn from_value(v: &::serde_json::Value) -> ::core::result::Result<Self, ::serde_json::Error> {
                        crate::read::object(v, #what)
                    }
                }
                impl #impl_generics crate::read::Fields for #name #ty_generics #where_clause {
                    fn field(&mut self, key: &str, v: &::serde_json::Value) -> ::core::result::Result<bool, ::serde_json::Error> {
                        match key {
                            #(#arms)*
                            _ => {
                                #(#flattened)*
                                return ::core::result::Result::Ok(false);
                            }
                        }
                        ::core::result::Result::Ok(true)
                    }
                }
            })
        }
        Data::Enum(data) => {
            let mut arms = Vec::new();
            let mut names = Vec::new();
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    return Err(Error::new_spanned(
                        variant,
                        "FromValue reads enums of unit variants only",
                    ));
                }
                let va = serde_attrs(&variant.attrs)?;
                let ident = &variant.ident;
                let key = json_name(va.rename, ident, attrs.rename_all.as_deref())?;
                names.push(key);
                let last = names.len() == data.variants.len();
                let index = names.len() - 1;
                // The last arm takes the rest, so the match needs no unreachable arm.
                arms.push(if last {
                    quote!(_ => Self::#ident,)
                } else {
                    quote!(#index => Self::#ident,)
                });
            }
            Ok(quote! {
                impl #impl_generics crate::read::FromValue for #name #ty_generics #where_clause {
                    fn from_value(v: &::serde_json::Value) -> ::core::result::Result<Self, ::serde_json::Error> {
                        const VARIANTS: &[&str] = &[#(#names),*];
                        ::core::result::Result::Ok(match crate::read::variant(v, VARIANTS)? {
                            #(#arms)*
                        })
                    }
                }
            })
        }
        Data::Union(_) => Err(Error::new_spanned(name, "FromValue does not read unions")),
    }
}

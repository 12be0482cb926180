//! Supervision codes (电子监管码): 20 digits that name one item and cannot be guessed.
//!
//! ```text
//!  11 40925087212348610 7
//!  ── ───────────────── ─
//!  │  │                 └ Damm check digit over the first 19 digits
//!  │  └ body: FF1-AES128 (radix 10, 17 digits) of the code's index, tweak = node digits
//!  └ node: the issuing node, the province part of GB/T 2260 (`00` = national)
//! ```
//!
//! A node issues codes by index, `0 ≤ index < 10^17`, in segments; the body is the
//! format-preserving encryption of the index under the node's secret [`CodeKey`], so no
//! row per code is needed: [`CodeSpace::decode`] turns a code back into its index, and the
//! index falls inside exactly one segment.
//!
//! ```
//! use zhijian_core::code::{CodeKey, CodeSpace, NodeCode, SupervisionCode};
//!
//! let key = CodeKey::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
//! let space = CodeSpace::new(NodeCode::parse("11").unwrap(), &key);
//! let code = space.encode(42).unwrap();
//! let typed = SupervisionCode::parse(&format!(" {code} ")).unwrap();
//! assert_eq!(space.decode(&typed), Ok(42));
//! ```
//!
//! # How likely is a guess to pass?
//!
//! Say a node has issued `I` codes. Take a uniformly random 20-digit string that starts
//! with this node's two digits (a random string has the right prefix with probability
//! 1/100). Its remaining 18 digits are independent and uniform, and:
//!
//! * exactly one of the 10 possible last digits satisfies the Damm check: probability
//!   1/10;
//! * FF1 is a permutation of `0..10^17`, so a uniform body decrypts to a uniform index,
//!   which is an issued one with probability `I / 10^17`.
//!
//! So `P(passes as issued) = I / 10^18` per random string with the right node prefix
//! (and `I / 10^20` for a random string with any prefix). The check digit is public, so
//! a counterfeiter who computes it gets `I / 10^17` per guess. Both are upper bounds on
//! "genuine": the index must also be activated and not recalled.
//!
//! | issued `I` | random string, right prefix: `I/10^18` | guess with right check digit: `I/10^17` | guesses per hit |
//! |---|---|---|---|
//! | 10^6  | 10^-12 | 10^-11 | 10^11 |
//! | 10^9  | 10^-9  | 10^-8  | 10^8  |
//! | 10^11 | 10^-7  | 10^-6  | 10^6  |
//!
//! At 10^11 issued codes a scripted guesser finds one genuine code per million tries,
//! which is why verification is rate-limited and reports how often a code was queried.

pub mod damm;
pub mod ff1;
pub mod list;
pub mod verdict;

use std::fmt;
use std::io;

use ff1::{BATCH, Ff1};

/// `10^17`: the number of indices (and bodies) in a node's code space.
const BODY_SPACE: u64 = 100_000_000_000_000_000;
/// `10^9`: the low half of a body (`v = 9` digits); the high half has `u = 8`.
const LOW_HALF: u64 = 1_000_000_000;

/// The province-level codes of GB/T 2260, the nodes that may issue codes besides the
/// national node (`00`).
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, // 北京 天津 河北 山西 内蒙古
    21, 22, 23, // 辽宁 吉林 黑龙江
    31, 32, 33, 34, 35, 36, 37, // 上海 江苏 浙江 安徽 福建 江西 山东
    41, 42, 43, 44, 45, 46, // 河南 湖北 湖南 广东 广西 海南
    50, 51, 52, 53, 54, // 重庆 四川 贵州 云南 西藏
    61, 62, 63, 64, 65, // 陕西 甘肃 青海 宁夏 新疆
    71, 81, 82, // 台湾 香港 澳门
];

/// The node that issued a code: `00` for the national node, or the two-digit province
/// part of a GB/T 2260 region code (`11` Beijing, `44` Guangdong, …).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeCode(u8);

/// Why a node code was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NodeCodeError {
    /// The input is not exactly two ASCII digits.
    #[error("a node code is two digits")]
    Malformed,
    /// Two digits, but neither `00` nor a GB/T 2260 province.
    #[error("{node:02} is not a GB/T 2260 province code nor 00")]
    Unknown {
        /// The digits given.
        node: u8,
    },
}

impl NodeCodeError {
    /// A stable snake_case identifier for this error.
    pub fn code(&self) -> &'static str {
        match self {
            NodeCodeError::Malformed => "node_malformed",
            NodeCodeError::Unknown { .. } => "node_unknown",
        }
    }
}

impl NodeCode {
    /// The national node, `00`.
    pub const NATIONAL: NodeCode = NodeCode(0);

    /// The node with this two-digit number, if it is `00` or a GB/T 2260 province.
    pub fn new(node: u8) -> Result<Self, NodeCodeError> {
        if node == 0 || PROVINCES.contains(&node) {
            Ok(NodeCode(node))
        } else {
            Err(NodeCodeError::Unknown { node })
        }
    }

    /// Parses exactly two ASCII digits, e.g. `"00"` or `"44"`.
    pub fn parse(input: &str) -> Result<Self, NodeCodeError> {
        match input.as_bytes() {
            &[tens @ b'0'..=b'9', ones @ b'0'..=b'9'] => {
                NodeCode::new((tens - b'0') * 10 + (ones - b'0'))
            }
            _ => Err(NodeCodeError::Malformed),
        }
    }

    /// Every node: the national one, then the provinces in code order.
    pub fn all() -> impl Iterator<Item = NodeCode> {
        std::iter::once(0).chain(PROVINCES).map(NodeCode)
    }

    /// The node's number, `0..=82`.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The node's two ASCII digits, which are also its FF1 tweak.
    pub fn ascii(self) -> [u8; 2] {
        [b'0' + self.0 / 10, b'0' + self.0 % 10]
    }

    /// Whether this is the national node.
    pub fn is_national(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for NodeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl fmt::Debug for NodeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeCode({:02})", self.0)
    }
}

impl std::str::FromStr for NodeCode {
    type Err = NodeCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NodeCode::parse(s)
    }
}

impl serde::Serialize for NodeCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for NodeCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor::<NodeCode>::new("a two-digit node code"))
    }
}

/// A supervision code: 20 digits, stored as the number its first 19 digits spell
/// (`node × 10^17 + body`); the check digit is recomputed when displayed.
///
/// Displays (and serialises) as the 20 digits; parse what people type with
/// [`SupervisionCode::parse`]. Ordering is numeric, i.e. by node, then body.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SupervisionCode(u64);

/// Why typed text is not a supervision code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but separators (or nothing at all) was given.
    #[error("no code was given")]
    Empty,
    /// A character that is neither a digit nor a separator.
    #[error("character {} ({character:?}) is not a digit", position + 1)]
    NotNumeric {
        /// Zero-based index of the character in the input, counting characters.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The digits, separators removed, are not 20.
    #[error("a supervision code has 20 digits, not {found}")]
    Length {
        /// How many digits were found.
        found: usize,
    },
    /// The check digit does not match: most likely a typing error.
    #[error("the check digit does not match; the code was probably mistyped")]
    Mistyped,
    /// The check digit matches, but the first two digits name no node.
    #[error("no node has the code {node:02}")]
    UnknownNode {
        /// The first two digits.
        node: u8,
    },
}

impl CodeError {
    /// A stable snake_case identifier for this error.
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Empty => "code_empty",
            CodeError::NotNumeric { .. } => "code_not_numeric",
            CodeError::Length { .. } => "code_length",
            CodeError::Mistyped => "code_mistyped",
            CodeError::UnknownNode { .. } => "code_unknown_node",
        }
    }
}

/// Characters people put between digit groups, or that copying from documents and
/// chat apps brings along: whitespace (including the ideographic space), dashes and
/// hyphens of every width, dots, slashes, underscores and zero-width characters.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_'
                | '.'
                | '/'
                | '·'
                | '\u{2010}'..='\u{2015}' // hyphens and dashes
                | '\u{2212}' // minus sign
                | '\u{30FB}' // katakana middle dot
                | '\u{FF0D}' // fullwidth hyphen-minus
                | '\u{FF0E}' // fullwidth full stop
                | '\u{FF0F}' // fullwidth solidus
                | '\u{FF3F}' // fullwidth low line
                | '\u{FF65}' // halfwidth katakana middle dot
                | '\u{200B}'..='\u{200D}' // zero-width space and joiners
                | '\u{2060}' // word joiner
                | '\u{FEFF}' // byte order mark
        )
}

/// The value of an ASCII or full-width (`０`–`９`) digit.
fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((u32::from(c) - u32::from('０')) as u8),
        _ => None,
    }
}

impl SupervisionCode {
    /// The number of digits in a code.
    pub const DIGITS: usize = 20;

    /// Parses a code as people type it: separators (spaces, dashes, dots, …) are
    /// dropped and full-width digits read as ASCII; then there must be exactly 20
    /// digits with a correct Damm check digit and a known node. Total: any input gives
    /// a code or a [`CodeError`].
    ///
    /// ```
    /// use zhijian_core::code::{CodeError, SupervisionCode};
    /// let code = SupervisionCode::parse("1140 9250 8721 2348 6107").unwrap();
    /// assert_eq!(code.to_string(), "11409250872123486107");
    /// assert_eq!(SupervisionCode::parse("１１４０９２５０８７２１２３４８６１０７"), Ok(code));
    /// assert_eq!(SupervisionCode::parse("11409250872123486170"), Err(CodeError::Mistyped));
    /// ```
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let mut digits = [0u8; Self::DIGITS];
        let mut found = 0usize;
        for (position, character) in input.chars().enumerate() {
            let Some(digit) = digit_value(character) else {
                if is_separator(character) {
                    continue;
                }
                return Err(CodeError::NotNumeric {
                    position,
                    character,
                });
            };
            if let Some(slot) = digits.get_mut(found) {
                *slot = digit;
            }
            found = found.saturating_add(1);
        }
        match found {
            0 => return Err(CodeError::Empty),
            Self::DIGITS => {}
            found => return Err(CodeError::Length { found }),
        }
        if !damm::is_valid(&digits) {
            return Err(CodeError::Mistyped);
        }
        let node = digits[0] * 10 + digits[1];
        let node = NodeCode::new(node).map_err(|_| CodeError::UnknownNode { node })?;
        let body = digits[2..19]
            .iter()
            .fold(0u64, |acc, &d| acc * 10 + u64::from(d));
        Ok(SupervisionCode::from_parts(node, body))
    }

    /// `body` must be below 10^17.
    fn from_parts(node: NodeCode, body: u64) -> Self {
        debug_assert!(body < BODY_SPACE);
        SupervisionCode(u64::from(node.0) * BODY_SPACE + body)
    }

    /// The node that issued the code (its first two digits).
    pub fn node(&self) -> NodeCode {
        NodeCode((self.0 / BODY_SPACE) as u8)
    }

    /// The 17-digit encrypted body, below 10^17.
    pub fn body(&self) -> u64 {
        self.0 % BODY_SPACE
    }

    /// The Damm check digit (the 20th digit).
    pub fn check_digit(&self) -> u8 {
        damm::interim_u64(0, self.0, 19)
    }

    /// The first 19 digits as one number, `node × 10^17 + body`: a compact storage key.
    /// It is below 8.3 × 10^18, so it also fits a signed 64-bit column.
    pub fn to_u64(&self) -> u64 {
        self.0
    }

    /// The code whose first 19 digits are `value` (see [`SupervisionCode::to_u64`]);
    /// `None` when the first two digits name no node.
    pub fn from_u64(value: u64) -> Option<Self> {
        let node = u8::try_from(value / BODY_SPACE).ok()?;
        NodeCode::new(node)
            .ok()
            .map(|node| SupervisionCode::from_parts(node, value % BODY_SPACE))
    }

    /// The 20 ASCII digits.
    pub fn to_ascii(&self) -> [u8; Self::DIGITS] {
        let mut out = [b'0'; Self::DIGITS];
        let mut rest = self.0;
        for slot in out[..19].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        out[19] = b'0' + self.check_digit();
        out
    }
}

impl fmt::Display for SupervisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ascii = self.to_ascii();
        f.write_str(std::str::from_utf8(&ascii).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for SupervisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SupervisionCode({self})")
    }
}

impl std::str::FromStr for SupervisionCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SupervisionCode::parse(s)
    }
}

impl serde::Serialize for SupervisionCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SupervisionCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor::<SupervisionCode>::new(
            "a 20-digit supervision code",
        ))
    }
}

/// Deserialises any `FromStr` type from a string.
struct ParseVisitor<T> {
    expecting: &'static str,
    target: std::marker::PhantomData<T>,
}

impl<T> ParseVisitor<T> {
    fn new(expecting: &'static str) -> Self {
        ParseVisitor {
            expecting,
            target: std::marker::PhantomData,
        }
    }
}

impl<T> serde::de::Visitor<'_> for ParseVisitor<T>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

/// A node's secret AES-128 key for its code space. `Debug` never shows it, and it has
/// no `Display` or `Serialize`; it deserialises from 32 hex digits (for configuration).
#[derive(Clone)]
pub struct CodeKey([u8; 16]);

/// Why a hex string is not a code key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 32 characters.
    #[error("a code key is 32 hex digits, not {found} characters")]
    Length {
        /// How many characters were given.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error("character {} of the code key is not a hex digit", position + 1)]
    NotHex {
        /// Zero-based index of the character.
        position: usize,
    },
}

impl KeyError {
    /// A stable snake_case identifier for this error.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Length { .. } => "key_length",
            KeyError::NotHex { .. } => "key_not_hex",
        }
    }
}

impl CodeKey {
    /// The key with these bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        CodeKey(bytes)
    }

    /// Parses 32 hex digits (either case, no separators). The error never echoes the
    /// input, which is a secret.
    pub fn from_hex(hex: &str) -> Result<Self, KeyError> {
        let found = hex.chars().count();
        if found != 32 {
            return Err(KeyError::Length { found });
        }
        let mut bytes = [0u8; 16];
        for (position, character) in hex.chars().enumerate() {
            let nibble = character
                .to_digit(16)
                .ok_or(KeyError::NotHex { position })? as u8;
            bytes[position / 2] |= nibble << (if position % 2 == 0 { 4 } else { 0 });
        }
        Ok(CodeKey(bytes))
    }
}

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeKey(***)")
    }
}

impl std::str::FromStr for CodeKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodeKey::from_hex(s)
    }
}

impl<'de> serde::Deserialize<'de> for CodeKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor::<CodeKey>::new("32 hex digits"))
    }
}

/// Why indices could not be turned into codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The index is not below 10^17.
    #[error("index {index} is outside the code space (below 10^17)")]
    IndexOutOfRange {
        /// The rejected index.
        index: u64,
    },
    /// The range `first .. first + count` does not lie below 10^17.
    #[error("{count} codes from index {first} run past the code space (10^17)")]
    RangeOutOfBounds {
        /// The first index asked for.
        first: u64,
        /// How many codes were asked for.
        count: u64,
    },
    /// [`CodeSpace::encode_batch`] was given slices of different lengths.
    #[error("{indices} indices but room for {codes} codes")]
    BatchLength {
        /// The number of indices.
        indices: usize,
        /// The number of output slots.
        codes: usize,
    },
}

impl EncodeError {
    /// A stable snake_case identifier for this error.
    pub fn code(&self) -> &'static str {
        match self {
            EncodeError::IndexOutOfRange { .. } => "code_index_out_of_range",
            EncodeError::RangeOutOfBounds { .. } => "code_range_out_of_bounds",
            EncodeError::BatchLength { .. } => "code_batch_length",
        }
    }
}

/// Why a code could not be turned back into an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The code was issued by another node, whose key this code space lacks.
    #[error("the code belongs to node {node}")]
    ForeignNode {
        /// The node that issued the code.
        node: NodeCode,
    },
}

impl DecodeError {
    /// A stable snake_case identifier for this error.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::ForeignNode { .. } => "code_foreign_node",
        }
    }
}

/// One node's code space: turns indices into codes and codes back into indices.
#[derive(Clone)]
pub struct CodeSpace {
    node: NodeCode,
    cipher: Ff1,
    /// The Damm interim after the node's two digits, times 100 (see `damm`).
    node_interim_x100: u16,
}

impl fmt::Debug for CodeSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeSpace")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

/// Bytes per line written by [`CodeSpace::write_range`]: 20 digits and `\n`.
const LINE: usize = SupervisionCode::DIGITS + 1;
/// Codes per `write_all` in [`CodeSpace::write_range`] (a multiple of [`BATCH`]).
const WRITE_CHUNK: usize = 4096;

/// Two ASCII digits for each of 00–99.
static DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut out = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        out[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    out
};

impl CodeSpace {
    /// The number of indices (and codes) in a node's code space: 10^17.
    pub const SIZE: u64 = BODY_SPACE;

    /// The code space of `node` under `key`.
    pub fn new(node: NodeCode, key: &CodeKey) -> Self {
        let [tens, ones] = node.ascii();
        let interim = damm::step(damm::step(0, tens - b'0'), ones - b'0');
        CodeSpace {
            node,
            cipher: Ff1::new17(&key.0, &node.ascii()),
            node_interim_x100: u16::from(interim) * 100,
        }
    }

    /// The node whose codes this space issues.
    pub fn node(&self) -> NodeCode {
        self.node
    }

    /// The code with this index.
    pub fn encode(&self, index: u64) -> Result<SupervisionCode, EncodeError> {
        if index >= Self::SIZE {
            return Err(EncodeError::IndexOutOfRange { index });
        }
        Ok(SupervisionCode::from_parts(
            self.node,
            self.cipher.encrypt17(index),
        ))
    }

    /// Encodes `indices` into `codes` (of the same length), eight at a time. Nothing is
    /// written when an index is out of range or the lengths differ.
    pub fn encode_batch(
        &self,
        indices: &[u64],
        codes: &mut [SupervisionCode],
    ) -> Result<(), EncodeError> {
        if indices.len() != codes.len() {
            return Err(EncodeError::BatchLength {
                indices: indices.len(),
                codes: codes.len(),
            });
        }
        if let Some(&index) = indices.iter().find(|&&index| index >= Self::SIZE) {
            return Err(EncodeError::IndexOutOfRange { index });
        }
        for (indices, codes) in indices.chunks(BATCH).zip(codes.chunks_mut(BATCH)) {
            let mut lanes = [0u64; BATCH];
            lanes[..indices.len()].copy_from_slice(indices);
            let (high, low) = self.cipher.encrypt8_halves17(&lanes);
            for ((code, high), low) in codes.iter_mut().zip(high).zip(low) {
                *code = SupervisionCode::from_parts(self.node, high * LOW_HALF + low);
            }
        }
        Ok(())
    }

    /// The index of a code issued by this node.
    pub fn decode(&self, code: &SupervisionCode) -> Result<u64, DecodeError> {
        let node = code.node();
        if node != self.node {
            return Err(DecodeError::ForeignNode { node });
        }
        Ok(self.cipher.decrypt17(code.body()))
    }

    /// Writes the codes with indices `first_index .. first_index + count`, one per line
    /// (20 digits and `\n`), in index order. This is the issuing path, so it batches the
    /// encryption, formats digit pairs from a table and writes 4096 lines per
    /// `write_all` from one buffer: `out` needs no `BufWriter`.
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] (wrapping
    /// [`EncodeError::RangeOutOfBounds`]) before writing anything if the range leaves
    /// the code space, and with `out`'s error if writing fails.
    pub fn write_range<W: io::Write + ?Sized>(
        &self,
        first_index: u64,
        count: u64,
        out: &mut W,
    ) -> io::Result<()> {
        let end = first_index
            .checked_add(count)
            .filter(|&end| end <= Self::SIZE)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    EncodeError::RangeOutOfBounds {
                        first: first_index,
                        count,
                    },
                )
            })?;
        if count == 0 {
            return Ok(());
        }
        let lines = usize::try_from(count).map_or(WRITE_CHUNK, |c| c.min(WRITE_CHUNK));
        let mut buffer = vec![0u8; lines * LINE];
        for line in buffer.chunks_exact_mut(LINE) {
            line[..2].copy_from_slice(&self.node.ascii());
            line[LINE - 1] = b'\n';
        }
        let mut next = first_index;
        while next < end {
            let lines = (end - next).min(WRITE_CHUNK as u64) as usize;
            let chunk = &mut buffer[..lines * LINE];
            for group in chunk.chunks_mut(BATCH * LINE) {
                // Lanes past `end` repeat the last index and are not written.
                let lanes: [u64; BATCH] =
                    std::array::from_fn(|lane| (next + lane as u64).min(end - 1));
                let (high, low) = self.cipher.encrypt8_halves17(&lanes);
                for ((line, high), low) in group.chunks_exact_mut(LINE).zip(high).zip(low) {
                    self.format_body(line, high, low);
                }
                next += BATCH as u64;
            }
            next = next.min(end);
            out.write_all(chunk)?;
        }
        Ok(())
    }

    /// Writes the 17 body digits and the check digit into `line[2..20]`, given the
    /// body's first 8 digits (`high`) and last 9 (`low`).
    #[inline(always)]
    fn format_body(&self, line: &mut [u8], high: u64, low: u64) {
        let Some(line) = line.get_mut(2..LINE - 1) else {
            return;
        };
        let Ok(line) = <&mut [u8; 18]>::try_from(line) else {
            return;
        };
        let high_top = high / 10_000;
        let high_bottom = high % 10_000;
        let low_first = (low / 100_000_000) % 10;
        let low_top = (low / 10_000) % 10_000;
        let low_bottom = low % 10_000;
        let pairs = [
            (high_top / 100) % 100,
            high_top % 100,
            (high_bottom / 100) % 100,
            high_bottom % 100,
        ];
        let mut interim = self.node_interim_x100;
        for (slot, pair) in line[..8].chunks_exact_mut(2).zip(pairs) {
            interim = damm::step_pair_x100(interim, pair);
            slot.copy_from_slice(&DIGIT_PAIRS[pair as usize]);
        }
        interim = damm::step_x100(interim, low_first);
        line[8] = b'0' + low_first as u8;
        let pairs = [
            (low_top / 100) % 100,
            low_top % 100,
            (low_bottom / 100) % 100,
            low_bottom % 100,
        ];
        for (slot, pair) in line[9..17].chunks_exact_mut(2).zip(pairs) {
            interim = damm::step_pair_x100(interim, pair);
            slot.copy_from_slice(&DIGIT_PAIRS[pair as usize]);
        }
        line[17] = b'0' + (interim / 100) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(byte: u8) -> CodeKey {
        CodeKey::from_bytes([byte; 16])
    }

    fn node(n: u8) -> NodeCode {
        NodeCode::new(n).unwrap()
    }

    #[test]
    fn node_codes() {
        assert_eq!(NodeCode::parse("00"), Ok(NodeCode::NATIONAL));
        assert_eq!(NodeCode::parse("44").unwrap().to_string(), "44");
        assert_eq!(
            NodeCode::parse("99"),
            Err(NodeCodeError::Unknown { node: 99 })
        );
        assert_eq!(NodeCode::parse("4"), Err(NodeCodeError::Malformed));
        assert_eq!(NodeCode::parse("４４"), Err(NodeCodeError::Malformed));
        assert_eq!(NodeCode::all().count(), 35);
        assert!(NodeCode::all().all(|n| NodeCode::parse(&n.to_string()) == Ok(n)));
    }

    #[test]
    fn encode_decode_and_format() {
        let space = CodeSpace::new(node(11), &key(7));
        let code = space.encode(0).unwrap();
        let text = code.to_string();
        assert_eq!(text.len(), 20);
        assert!(text.starts_with("11"));
        assert!(damm::is_valid(
            &text.bytes().map(|b| b - b'0').collect::<Vec<_>>()
        ));
        assert_eq!(SupervisionCode::parse(&text), Ok(code));
        assert_eq!(space.decode(&code), Ok(0));
        assert_eq!(
            space.encode(CodeSpace::SIZE),
            Err(EncodeError::IndexOutOfRange {
                index: CodeSpace::SIZE
            })
        );
        let last = space.encode(CodeSpace::SIZE - 1).unwrap();
        assert_eq!(space.decode(&last), Ok(CodeSpace::SIZE - 1));
    }

    #[test]
    fn the_body_is_ff1_with_the_node_as_tweak() {
        let space = CodeSpace::new(node(44), &key(3));
        let ff1 = Ff1::new(&[3; 16], 17, b"44").unwrap();
        let code = space.encode(123_456).unwrap();
        assert_eq!(code.body(), ff1.encrypt(123_456).unwrap());
        assert_eq!(code.node(), node(44));
    }

    #[test]
    fn a_code_from_another_node_is_foreign() {
        let beijing = CodeSpace::new(node(11), &key(1));
        let shanghai = CodeSpace::new(node(31), &key(1));
        let code = shanghai.encode(5).unwrap();
        assert_eq!(
            beijing.decode(&code),
            Err(DecodeError::ForeignNode { node: node(31) })
        );
        assert_eq!(
            beijing.decode(&code).unwrap_err().code(),
            "code_foreign_node"
        );
    }

    #[test]
    fn same_key_different_nodes_give_different_bodies() {
        let a = CodeSpace::new(node(11), &key(1)).encode(5).unwrap();
        let b = CodeSpace::new(node(12), &key(1)).encode(5).unwrap();
        assert_ne!(a.body(), b.body());
    }

    #[test]
    fn parse_normalises_what_people_type() {
        let code = CodeSpace::new(node(11), &key(9)).encode(77).unwrap();
        let text = code.to_string();
        let spaced = format!(
            "  {}-{} {}\u{3000}{}\t{}  ",
            &text[..4],
            &text[4..8],
            &text[8..12],
            &text[12..16],
            &text[16..]
        );
        assert_eq!(SupervisionCode::parse(&spaced), Ok(code));
        let full_width: String = text
            .chars()
            .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap())
            .collect();
        assert_eq!(SupervisionCode::parse(&full_width), Ok(code));
        let dashed = format!("{}－{}—{}", &text[..6], &text[6..13], &text[13..]);
        assert_eq!(SupervisionCode::parse(&dashed), Ok(code));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(SupervisionCode::parse(""), Err(CodeError::Empty));
        assert_eq!(SupervisionCode::parse(" - "), Err(CodeError::Empty));
        assert_eq!(
            SupervisionCode::parse("1234x"),
            Err(CodeError::NotNumeric {
                position: 4,
                character: 'x'
            })
        );
        assert_eq!(
            SupervisionCode::parse("监管码1234"),
            Err(CodeError::NotNumeric {
                position: 0,
                character: '监'
            })
        );
        assert_eq!(
            SupervisionCode::parse("123"),
            Err(CodeError::Length { found: 3 })
        );
        assert_eq!(
            SupervisionCode::parse(&"1".repeat(21)),
            Err(CodeError::Length { found: 21 })
        );
        let code = CodeSpace::new(node(11), &key(9)).encode(77).unwrap();
        let mut digits = code.to_ascii();
        digits[5] = if digits[5] == b'9' {
            b'0'
        } else {
            digits[5] + 1
        };
        let typo = String::from_utf8(digits.to_vec()).unwrap();
        assert_eq!(SupervisionCode::parse(&typo), Err(CodeError::Mistyped));
        // 99 + 17 digits + the right check digit: well-formed, but no such node.
        let mut unknown: Vec<u8> = [9, 9].into_iter().chain([0; 17]).collect();
        unknown.push(damm::check_digit(&unknown));
        let unknown: String = unknown.iter().map(|d| char::from(b'0' + d)).collect();
        assert_eq!(
            SupervisionCode::parse(&unknown),
            Err(CodeError::UnknownNode { node: 99 })
        );
        let codes: Vec<&str> = [
            CodeError::Empty,
            CodeError::NotNumeric {
                position: 0,
                character: 'x',
            },
            CodeError::Length { found: 1 },
            CodeError::Mistyped,
            CodeError::UnknownNode { node: 99 },
        ]
        .iter()
        .map(CodeError::code)
        .collect();
        assert_eq!(
            codes,
            [
                "code_empty",
                "code_not_numeric",
                "code_length",
                "code_mistyped",
                "code_unknown_node"
            ]
        );
    }

    #[test]
    fn serde_as_string() {
        let code = CodeSpace::new(node(0), &key(2)).encode(1).unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{code}\""));
        assert_eq!(
            serde_json::from_str::<SupervisionCode>(&json).unwrap(),
            code
        );
        assert!(serde_json::from_str::<SupervisionCode>("\"123\"").is_err());
        assert!(serde_json::from_str::<SupervisionCode>("123").is_err());
        assert_eq!(serde_json::to_string(&node(44)).unwrap(), "\"44\"");
        assert_eq!(
            serde_json::from_str::<NodeCode>("\"44\"").unwrap(),
            node(44)
        );
    }

    #[test]
    fn keys() {
        let k = CodeKey::from_hex("000102030405060708090A0b0c0d0e0f").unwrap();
        assert_eq!(k.0, std::array::from_fn(|i| i as u8));
        assert_eq!(format!("{k:?}"), "CodeKey(***)");
        let space = CodeSpace::new(node(11), &k);
        assert_eq!(format!("{space:?}"), "CodeSpace { node: NodeCode(11), .. }");
        assert_eq!(
            CodeKey::from_hex("00").unwrap_err(),
            KeyError::Length { found: 2 }
        );
        assert_eq!(
            CodeKey::from_hex("000102030405060708090a0b0c0d0e0g").unwrap_err(),
            KeyError::NotHex { position: 31 }
        );
        assert_eq!(
            CodeKey::from_hex("+00102030405060708090a0b0c0d0e0f").unwrap_err(),
            KeyError::NotHex { position: 0 }
        );
        assert_eq!(
            CodeKey::from_hex(&"é".repeat(16)).unwrap_err(),
            KeyError::Length { found: 16 }
        );
        let parsed: CodeKey = serde_json::from_str("\"000102030405060708090a0b0c0d0e0f\"").unwrap();
        assert_eq!(parsed.0, k.0);
    }

    #[test]
    fn storage_key_round_trip() {
        let code = CodeSpace::new(node(82), &key(4)).encode(99).unwrap();
        assert!(code.to_u64() <= i64::MAX as u64);
        assert_eq!(SupervisionCode::from_u64(code.to_u64()), Some(code));
        assert_eq!(SupervisionCode::from_u64(99 * CodeSpace::SIZE), None);
        assert_eq!(SupervisionCode::from_u64(u64::MAX), None);
    }

    #[test]
    fn write_range_writes_consecutive_codes() {
        let space = CodeSpace::new(node(35), &key(5));
        for (first, count) in [(0, 0), (0, 1), (10, 13), (1000, 4096 + 17)] {
            let mut out = Vec::new();
            space.write_range(first, count, &mut out).unwrap();
            assert_eq!(out.len() as u64, count * LINE as u64);
            let text = String::from_utf8(out).unwrap();
            for (offset, line) in text.lines().enumerate() {
                let code = SupervisionCode::parse(line).unwrap();
                assert_eq!(code, space.encode(first + offset as u64).unwrap());
                assert_eq!(space.decode(&code), Ok(first + offset as u64));
            }
        }
        let mut out = Vec::new();
        space.write_range(CodeSpace::SIZE - 3, 3, &mut out).unwrap();
        assert_eq!(out.len(), 3 * LINE);
        let error = space
            .write_range(CodeSpace::SIZE - 3, 4, &mut out)
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(space.write_range(u64::MAX, 2, &mut out).is_err());
    }

    #[test]
    fn encode_batch_matches_encode() {
        let space = CodeSpace::new(node(11), &key(8));
        let indices: Vec<u64> = (0..19).map(|i| i * 1_000_003).collect();
        let mut codes = vec![SupervisionCode::from_parts(node(11), 0); indices.len()];
        space.encode_batch(&indices, &mut codes).unwrap();
        for (index, code) in indices.iter().zip(&codes) {
            assert_eq!(space.encode(*index).unwrap(), *code);
        }
        assert_eq!(
            space.encode_batch(&indices, &mut codes[..3]),
            Err(EncodeError::BatchLength {
                indices: 19,
                codes: 3
            })
        );
        assert_eq!(
            space.encode_batch(&[CodeSpace::SIZE], &mut codes[..1]),
            Err(EncodeError::IndexOutOfRange {
                index: CodeSpace::SIZE
            })
        );
    }

    proptest! {
        #[test]
        fn parse_is_total(input in any::<String>()) {
            let _ = SupervisionCode::parse(&input);
        }

        #[test]
        fn parse_is_total_on_digit_like_input(
            input in "[0-9０-９ \\-—－.x监]{0,30}"
        ) {
            if let Ok(code) = SupervisionCode::parse(&input) {
                prop_assert_eq!(SupervisionCode::parse(&code.to_string()), Ok(code));
            }
        }

        #[test]
        fn encode_decode_round_trip(key_bytes in any::<[u8; 16]>(), index in 0..CodeSpace::SIZE, node_index in 0usize..35) {
            let node = NodeCode::all().nth(node_index).unwrap();
            let space = CodeSpace::new(node, &CodeKey::from_bytes(key_bytes));
            let code = space.encode(index).unwrap();
            prop_assert_eq!(code.node(), node);
            prop_assert_eq!(SupervisionCode::parse(&code.to_string()), Ok(code));
            prop_assert_eq!(space.decode(&code), Ok(index));
        }

        /// A code with one digit substituted, or two adjacent digits swapped, is
        /// rejected as mistyped, wherever the typo is (node digits included).
        #[test]
        fn typos_are_caught(index in 0..CodeSpace::SIZE) {
            let code = CodeSpace::new(node(11), &key(6)).encode(index).unwrap();
            let ascii = code.to_ascii();
            for position in 0..20 {
                for digit in b'0'..=b'9' {
                    if digit == ascii[position] {
                        continue;
                    }
                    let mut typo = ascii;
                    typo[position] = digit;
                    let typo = String::from_utf8(typo.to_vec()).unwrap();
                    prop_assert_eq!(SupervisionCode::parse(&typo), Err(CodeError::Mistyped));
                }
            }
            for position in 0..19 {
                if ascii[position] == ascii[position + 1] {
                    continue;
                }
                let mut typo = ascii;
                typo.swap(position, position + 1);
                let typo = String::from_utf8(typo.to_vec()).unwrap();
                prop_assert_eq!(SupervisionCode::parse(&typo), Err(CodeError::Mistyped));
            }
        }
    }
}

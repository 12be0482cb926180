//! The product catalogue: categories of the catalogue of key industrial products under
//! quality supervision and of the food production licence classification, each with the
//! risk grade (I high, II, III low) that grading, sampling and early warning use.
//!
//! Food categories follow the 32 classes of the food production licence classification
//! (食品生产许可分类目录, ids `F01`–`F32`); industrial categories follow the key industrial
//! products catalogue (重点工业产品质量安全监管目录) and the industrial production licence
//! catalogue (ids `I01`…). Risk grades are this project's defaults, chosen from the
//! catalogue's own emphasis (infant food, gas appliances and hazardous chemicals high;
//! staple building materials medium; low-hazard goods low).

use serde::{Deserialize, Serialize};

/// A category's risk grade: I is the highest risk.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum RiskGrade {
    /// High risk.
    I,
    /// Medium risk.
    II,
    /// Low risk.
    III,
}

impl RiskGrade {
    /// The stable name (`I`, `II`, `III`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskGrade::I => "I",
            RiskGrade::II => "II",
            RiskGrade::III => "III",
        }
    }
}

/// Which catalogue a category belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CatalogueKind {
    /// Food, under food production licences (`SC…`).
    Food,
    /// Industrial products, under industrial licences (`XK…`) or key-product supervision.
    Industrial,
}

/// One class in the product catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Stable id, e.g. `F05` (dairy) or `I03` (wires and cables).
    pub id: &'static str,
    /// The Chinese name.
    pub name_zh: &'static str,
    /// The English name.
    pub name_en: &'static str,
    /// The catalogue it comes from.
    pub kind: CatalogueKind,
    /// Its risk grade.
    pub risk: RiskGrade,
}

macro_rules! cat {
    ($id:literal, $zh:literal, $en:literal, $kind:ident, $risk:ident) => {
        Category {
            id: $id,
            name_zh: $zh,
            name_en: $en,
            kind: CatalogueKind::$kind,
            risk: RiskGrade::$risk,
        }
    };
}

/// Every category, food first, in id order.
pub const CATEGORIES: &[Category] = &[
    cat!("F01", "粮食加工品", "Processed grain products", Food, II),
    cat!(
        "F02",
        "食用油、油脂及其制品",
        "Edible oils and fats",
        Food,
        II
    ),
    cat!("F03", "调味品", "Condiments", Food, III),
    cat!("F04", "肉制品", "Meat products", Food, I),
    cat!("F05", "乳制品", "Dairy products", Food, I),
    cat!("F06", "饮料", "Beverages", Food, II),
    cat!("F07", "方便食品", "Convenience foods", Food, III),
    cat!("F08", "饼干", "Biscuits", Food, III),
    cat!("F09", "罐头", "Canned foods", Food, II),
    cat!("F10", "冷冻饮品", "Frozen drinks", Food, II),
    cat!("F11", "速冻食品", "Quick-frozen foods", Food, II),
    cat!(
        "F12",
        "薯类和膨化食品",
        "Potato and puffed foods",
        Food,
        III
    ),
    cat!("F13", "糖果制品", "Confectionery", Food, III),
    cat!("F14", "茶叶及相关制品", "Tea and tea products", Food, III),
    cat!("F15", "酒类", "Alcoholic beverages", Food, II),
    cat!("F16", "蔬菜制品", "Vegetable products", Food, II),
    cat!("F17", "水果制品", "Fruit products", Food, III),
    cat!(
        "F18",
        "炒货食品及坚果制品",
        "Roasted seeds and nuts",
        Food,
        III
    ),
    cat!("F19", "蛋制品", "Egg products", Food, II),
    cat!(
        "F20",
        "可可及焙烤咖啡产品",
        "Cocoa and roasted coffee",
        Food,
        III
    ),
    cat!("F21", "食糖", "Sugar", Food, III),
    cat!("F22", "水产制品", "Aquatic products", Food, II),
    cat!(
        "F23",
        "淀粉及淀粉制品",
        "Starch and starch products",
        Food,
        II
    ),
    cat!("F24", "糕点", "Pastries", Food, II),
    cat!("F25", "豆制品", "Soy products", Food, II),
    cat!("F26", "蜂产品", "Bee products", Food, II),
    cat!("F27", "保健食品", "Health foods", Food, I),
    cat!(
        "F28",
        "特殊医学用途配方食品",
        "Foods for special medical purposes",
        Food,
        I
    ),
    cat!("F29", "婴幼儿配方食品", "Infant formula", Food, I),
    cat!(
        "F30",
        "特殊膳食食品",
        "Foods for special dietary uses",
        Food,
        I
    ),
    cat!("F31", "其他食品", "Other foods", Food, III),
    cat!("F32", "食品添加剂", "Food additives", Food, I),
    cat!(
        "I01",
        "建筑用钢筋",
        "Steel reinforcing bars",
        Industrial,
        II
    ),
    cat!("I02", "水泥", "Cement", Industrial, II),
    cat!("I03", "电线电缆", "Wires and cables", Industrial, II),
    cat!("I04", "危险化学品", "Hazardous chemicals", Industrial, I),
    cat!(
        "I05",
        "危险化学品包装物及容器",
        "Packaging for hazardous chemicals",
        Industrial,
        I
    ),
    cat!("I06", "化肥", "Chemical fertilisers", Industrial, II),
    cat!("I07", "农药", "Pesticides", Industrial, I),
    cat!(
        "I08",
        "食品用塑料包装容器工具",
        "Plastic food-contact packaging",
        Industrial,
        II
    ),
    cat!(
        "I09",
        "食品用纸包装容器",
        "Paper food-contact packaging",
        Industrial,
        III
    ),
    cat!(
        "I10",
        "餐具洗涤剂",
        "Dishwashing detergents",
        Industrial,
        III
    ),
    cat!("I11", "燃气器具", "Gas appliances", Industrial, I),
    cat!("I12", "电动自行车", "Electric bicycles", Industrial, I),
    cat!(
        "I13",
        "电动自行车用锂离子蓄电池",
        "E-bike lithium-ion batteries",
        Industrial,
        I
    ),
    cat!("I14", "儿童玩具", "Children's toys", Industrial, I),
    cat!("I15", "童车", "Children's vehicles", Industrial, I),
    cat!(
        "I16",
        "儿童及婴幼儿服装",
        "Children's and infant clothing",
        Industrial,
        II
    ),
    cat!("I17", "家用电器", "Household appliances", Industrial, II),
    cat!(
        "I18",
        "电器附件（插头插座）",
        "Plugs and sockets",
        Industrial,
        II
    ),
    cat!("I19", "照明电器", "Lighting appliances", Industrial, III),
    cat!("I20", "安全帽", "Safety helmets", Industrial, I),
    cat!(
        "I21",
        "摩托车、电动自行车乘员头盔",
        "Riders' helmets",
        Industrial,
        I
    ),
    cat!("I22", "日常防护型口罩", "Protective masks", Industrial, II),
    cat!("I23", "汽车轮胎", "Car tyres", Industrial, I),
    cat!(
        "I24",
        "机动车安全玻璃",
        "Vehicle safety glass",
        Industrial,
        II
    ),
    cat!("I25", "人造板", "Wood-based panels", Industrial, III),
    cat!(
        "I26",
        "建筑防水卷材",
        "Waterproofing membranes",
        Industrial,
        III
    ),
    cat!("I27", "陶瓷砖", "Ceramic tiles", Industrial, III),
    cat!("I28", "涂料", "Paints and coatings", Industrial, II),
    cat!("I29", "床上用品", "Bedding", Industrial, III),
    cat!("I30", "鞋类", "Footwear", Industrial, III),
];

/// Finds a category by id.
pub fn category(id: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sorted() {
        for w in CATEGORIES.windows(2) {
            assert!(w[0].id < w[1].id, "{} before {}", w[0].id, w[1].id);
        }
    }

    #[test]
    fn food_has_the_32_licence_classes() {
        assert_eq!(
            CATEGORIES
                .iter()
                .filter(|c| c.kind == CatalogueKind::Food)
                .count(),
            32
        );
        assert_eq!(category("F29").unwrap().name_zh, "婴幼儿配方食品");
        assert_eq!(category("F29").unwrap().risk, RiskGrade::I);
        assert!(category("F33").is_none());
    }
}

"""A generated content folder for the benchmark: clinic pages in two languages and real heroes.

`make_corpus(folder, pages)` writes `pages` services as Hugo-style pairs
(`<slug>.en.md` / `<slug>.ru.md`), the repository's `brochure.toml` and logo, and three
heroes in `images/` with the sizes and quirks of real uploads: a 12-megapixel phone JPEG
with EXIF orientation 6, a CMYK JPEG and a PNG with transparency. Pages cycle through the
heroes. Everything is deterministic for a given page count.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "content"

HEROES = ("phone-12mp-rotated.jpg", "print-cmyk.jpg", "cutout-alpha.png")


@dataclass(frozen=True)
class Corpus:
    """What `make_corpus` wrote."""

    root: Path
    pages: list[Path]  # every .md file, English and Russian
    heroes: dict[str, tuple[tuple[int, int], int]]  # file name: (pixel size, bytes)


# (English, Russian) service names; the slug is made from the English one.
SERVICES: list[tuple[str, str]] = [
    ("Hair mesotherapy", "Мезотерапия волос"),
    ("Plasma therapy for the scalp", "Плазмотерапия кожи головы"),
    ("Chemical peel", "Химический пилинг"),
    ("Laser hair removal", "Лазерная эпиляция"),
    ("Botulinum therapy", "Ботулинотерапия"),
    ("Biorevitalisation", "Биоревитализация"),
    ("Contour plastic with fillers", "Контурная пластика филлерами"),
    ("Fractional laser resurfacing", "Фракционная лазерная шлифовка"),
    ("Acne treatment", "Лечение акне"),
    ("Removal of skin growths", "Удаление новообразований кожи"),
    ("Trichoscopy", "Трихоскопия"),
    ("Microneedling", "Микронидлинг"),
    ("Thread lifting", "Нитевой лифтинг"),
    ("Photorejuvenation", "Фотоомоложение"),
    ("Treatment of hyperhidrosis", "Лечение гипергидроза"),
    ("Dermatoscopy of moles", "Дерматоскопия родинок"),
    ("Lipolytic injections", "Инъекционный липолиз"),
    ("Carboxytherapy", "Карбокситерапия"),
    ("Ultrasonic face cleansing", "Ультразвуковая чистка лица"),
    ("Peptide therapy for hair", "Пептидная терапия волос"),
]

INTRO: list[tuple[str, str]] = [
    (
        "The procedure is performed by a doctor with a medical licence after a consultation "
        "and an examination of the skin.",
        "Процедуру выполняет врач с медицинской лицензией после консультации и осмотра кожи.",
    ),
    (
        "Active substances are delivered precisely where they are needed, so a small dose "
        "gives a visible effect.",
        "Активные вещества доставляются точно туда, где они нужны, поэтому небольшая доза "
        "даёт заметный эффект.",
    ),
    (
        "Most patients notice the first changes after two or three sessions, and the full "
        "result develops within a month.",
        "Большинство пациентов замечают первые изменения после двух-трёх сеансов, а полный "
        "результат развивается в течение месяца.",
    ),
    (
        "The method has been used in dermatology for more than twenty years and is well "
        "studied in clinical trials.",
        "Метод применяется в дерматологии более двадцати лет и хорошо изучен в клинических "
        "исследованиях.",
    ),
    (
        "We use only certified preparations from manufacturers registered in the country, "
        "opened in front of the patient.",
        "Мы используем только сертифицированные препараты зарегистрированных производителей, "
        "которые вскрываются при пациенте.",
    ),
    (
        "The session takes from thirty to sixty minutes, depending on the area and the "
        "chosen protocol.",
        "Сеанс длится от тридцати до шестидесяти минут в зависимости от зоны и выбранного "
        "протокола.",
    ),
    (
        "A local anaesthetic cream makes the procedure comfortable even for sensitive skin.",
        "Местный анестезирующий крем делает процедуру комфортной даже для чувствительной кожи.",
    ),
    (
        "Between sessions the skin recovers on its own; no special care is needed apart from "
        "sun protection.",
        "Между сеансами кожа восстанавливается самостоятельно; особый уход, кроме защиты от "
        "солнца, не нужен.",
    ),
]

EFFECTS: list[tuple[str, str]] = [
    ("Activate metabolic processes in the skin.", "Активизируют обменные процессы в коже."),
    ("Improve the microcirculation of blood.", "Улучшают микроциркуляцию крови."),
    ("Strengthen the hair follicles.", "Укрепляют волосяные фолликулы."),
    ("Even out the tone and texture of the skin.", "Выравнивают тон и рельеф кожи."),
    ("Reduce inflammation and redness.", "Уменьшают воспаление и покраснение."),
    (
        "Stimulate the synthesis of collagen and elastin.",
        "Стимулируют синтез коллагена и эластина.",
    ),
    ("Restore the protective barrier of the skin.", "Восстанавливают защитный барьер кожи."),
    ("Regulate the work of the sebaceous glands.", "Регулируют работу сальных желёз."),
]

INDICATIONS: list[tuple[str, str]] = [
    ("Diffuse or focal hair loss.", "Диффузное или очаговое выпадение волос."),
    ("Excessively oily or dry skin.", "Избыточно жирная или сухая кожа."),
    ("Fine lines and loss of firmness.", "Мелкие морщины и потеря упругости."),
    ("Pigmentation and uneven tone.", "Пигментация и неровный тон."),
    ("Post-acne marks and enlarged pores.", "Следы постакне и расширенные поры."),
    ("Dandruff and constant itching.", "Перхоть и постоянный зуд."),
    ("Preparation for a laser procedure.", "Подготовка к лазерной процедуре."),
    ("Dullness after illness or stress.", "Тусклость после болезни или стресса."),
    ("Seasonal thinning of the hair.", "Сезонное поредение волос."),
]

STEPS: list[tuple[str, str]] = [
    (
        "First the doctor examines the area, asks about medicines and allergies and agrees "
        "the plan with you.",
        "Сначала врач осматривает зону, уточняет приём лекарств и аллергии и согласует с вами "
        "план.",
    ),
    (
        "The skin is cleansed and treated with an antiseptic; if needed, an anaesthetic cream "
        "is applied for twenty minutes.",
        "Кожу очищают и обрабатывают антисептиком; при необходимости на двадцать минут "
        "наносят анестезирующий крем.",
    ),
    (
        "The doctor works strictly along the marked lines, checking the depth and the dose "
        "at every point.",
        "Врач работает строго по намеченным линиям, контролируя глубину и дозу в каждой точке.",
    ),
    (
        "At the end a soothing mask is applied and you receive written recommendations for "
        "the following days.",
        "В завершение наносится успокаивающая маска, и вы получаете письменные рекомендации "
        "на ближайшие дни.",
    ),
    (
        "Slight redness disappears within a few hours; you can return to work on the same day.",
        "Лёгкое покраснение проходит за несколько часов; вернуться к работе можно в тот же день.",
    ),
]

RESULTS: list[tuple[str, str]] = [
    (
        "To achieve a stable effect, a course of 6–10 sessions at intervals of 7–14 days is "
        "recommended.",
        "Для стойкого эффекта рекомендуется курс из 6–10 сеансов с интервалом 7–14 дней.",
    ),
    (
        "The result lasts from six months to a year; a supporting session every few months "
        "keeps it longer.",
        "Результат сохраняется от полугода до года; поддерживающий сеанс раз в несколько "
        "месяцев продлевает его.",
    ),
    (
        "The doctor photographs the area before the course and after it, so that the changes "
        "can be compared objectively.",
        "Врач фотографирует зону до и после курса, чтобы изменения можно было сравнить объективно.",
    ),
    (
        "The effect is stronger when the procedure is combined with home care chosen by the "
        "dermatologist.",
        "Эффект сильнее, если процедуру сочетать с домашним уходом, подобранным дерматологом.",
    ),
]

CONTRAINDICATIONS: list[tuple[str, str]] = [
    ("Pregnancy and breastfeeding.", "Беременность и грудное вскармливание."),
    ("Acute infections and fever.", "Острые инфекции и повышенная температура."),
    ("Autoimmune diseases in the active phase.", "Аутоиммунные заболевания в активной фазе."),
    ("Blood clotting disorders.", "Нарушения свёртываемости крови."),
    ("Inflammation in the treatment area.", "Воспаление в зоне процедуры."),
    ("Allergy to the components of the preparation.", "Аллергия на компоненты препарата."),
]

HEADINGS = {
    "en": {
        "effects": "How it works",
        "indications": "Indications",
        "lead": "**The procedure is recommended in the following cases:**",
        "steps": "How the procedure goes",
        "prices": "Prices",
        "results": "Results of the course",
        "contra": "Contraindications",
        "table": ("Procedure", "Sessions", "Price, £"),
        "rows": ("One session", "Course", "Consultation"),
    },
    "ru": {
        "effects": "Как это работает",
        "indications": "Показания",
        "lead": "**Процедура рекомендуется в следующих случаях:**",
        "steps": "Как проходит процедура",
        "prices": "Стоимость",
        "results": "Результаты курса",
        "contra": "Противопоказания",
        "table": ("Процедура", "Сеансов", "Цена, £"),
        "rows": ("Один сеанс", "Курс", "Консультация"),
    },
}


def _slug(title: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
    return "-".join(words)


def page_texts(index: int) -> tuple[str, dict[str, str]]:
    """The slug and the Markdown of service `index` in English and Russian (same structure)."""
    en_name, ru_name = SERVICES[index % len(SERVICES)]
    round_ = index // len(SERVICES)
    if round_:
        en_name, ru_name = f"{en_name} {round_ + 1}", f"{ru_name} {round_ + 1}"
    rng = random.Random(index)
    hero = HEROES[index % len(HEROES)]
    intro = rng.sample(INTRO, 4)
    effects = rng.sample(EFFECTS, rng.randint(4, 6))
    indications = rng.sample(INDICATIONS, rng.randint(5, 7))
    steps = STEPS[: rng.randint(4, 5)]
    results = rng.sample(RESULTS, 3)
    contra = rng.sample(CONTRAINDICATIONS, rng.randint(4, 6))
    with_table = index % 3 != 2
    session = 80 + 10 * rng.randint(0, 12)
    course = rng.choice((6, 8, 10))
    texts: dict[str, str] = {}
    for side, lang, name in ((0, "en", en_name), (1, "ru", ru_name)):
        h = HEADINGS[lang]
        description = (
            f"{name}: indications, course and prices"
            if lang == "en"
            else f"{name}: показания, курс и стоимость"
        )
        lines = [
            "---",
            f"title: {name}",
            f'description: "{description}"',
            f"hero_image: {hero}",
            "---",
            f"# {name}",
            "",
            " ".join(s[side] for s in intro[:2]),
            "",
            *(f"- {e[side]}" for e in effects),
            "",
            " ".join(s[side] for s in intro[2:]),
            "",
            f"## {h['indications']}",
            "",
            str(h["lead"]),
            "",
            *(f"- {e[side]}" for e in indications),
            "",
            f"## {h['steps']}",
            "",
            " ".join(s[side] for s in steps[:2]),
            "",
            " ".join(s[side] for s in steps[2:]),
            "",
        ]
        if with_table:
            one, many, consult = h["rows"]
            col1, col2, col3 = h["table"]
            lines += [
                f"## {h['prices']}",
                "",
                f"| {col1} | {col2} | {col3} |",
                "| --- | ---: | ---: |",
                f"| {consult} | 1 | 60 |",
                f"| {one} | 1 | {session} |",
                f"| {many} | {course} | {session * course * 85 // 100} |",
                "",
            ]
        lines += [
            f"## {h['results']}",
            "",
            " ".join(s[side] for s in results),
            "",
            f"## {h['contra']}",
            "",
            *(f"- {e[side]}" for e in contra),
            "",
        ]
        texts[lang] = "\n".join(lines)
    return _slug(en_name), texts


def _noise(size: tuple[int, int], rng: random.Random) -> Image.Image:
    width, height = size
    return Image.frombytes("L", size, rng.randbytes(width * height))


def photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A photo-like RGB picture: soft colour fields, blurred shapes, texture and grain.

    Grain and texture keep JPEG sizes close to those of real camera photos.
    """
    rng = random.Random(seed)
    width, height = size
    # Out-of-focus background: a coarse grid of colours scaled up smoothly.
    coarse = Image.new("RGB", (12, 9))
    coarse.putdata(
        [(rng.randint(60, 230), rng.randint(60, 210), rng.randint(50, 200)) for _ in range(108)]
    )
    image = coarse.resize(size, Image.Resampling.BICUBIC)
    # Some shapes (a face-like oval, bottles, a window), softened like a shallow focus.
    shapes = Image.new("RGB", (width // 4, height // 4))
    draw = ImageDraw.Draw(shapes)
    w4, h4 = shapes.size
    for _ in range(14):
        x, y = rng.randint(0, w4), rng.randint(0, h4)
        r = rng.randint(w4 // 20, w4 // 6)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + int(r * 1.3)), fill=colour)
        else:
            draw.rectangle((x - r // 2, y - r, x + r // 2, y + r), fill=colour)
    mask = shapes.convert("L").point(lambda v: 200 if v else 0)
    shapes = shapes.filter(ImageFilter.GaussianBlur(3)).resize(size, Image.Resampling.BICUBIC)
    mask = mask.filter(ImageFilter.GaussianBlur(4)).resize(size, Image.Resampling.BICUBIC)
    image = Image.composite(shapes, image, mask)
    # Mid-frequency texture (skin, fabric) and fine sensor grain.
    texture = _noise((width // 3, height // 3), rng).resize(size, Image.Resampling.BICUBIC)
    grain = _noise(size, rng)
    detail = Image.blend(texture, grain, 0.45)
    image = Image.blend(image, Image.merge("RGB", (detail, detail, detail)), 0.16)
    return image


def make_heroes(images: Path) -> dict[str, tuple[tuple[int, int], int]]:
    """The three heroes; returns each one's pixel size and bytes."""
    images.mkdir(parents=True, exist_ok=True)
    # A phone photo: 4000×3000 stored landscape, EXIF orientation 6 (rotate 90° to view).
    exif = Image.Exif()
    exif[0x0110] = "Benchmark Phone"  # Model
    exif[0x0112] = 6  # Orientation
    photo((4000, 3000), 1).save(images / HEROES[0], "JPEG", quality=92, exif=exif)
    # A picture prepared for print: CMYK JPEG.
    photo((3000, 2000), 2).convert("CMYK").save(images / HEROES[1], "JPEG", quality=90)
    # A cut-out with transparency: RGBA PNG, an oval subject fading out at the edges.
    picture = photo((2400, 1600), 3).convert("RGBA")
    alpha = Image.new("L", (240, 160), 0)
    ImageDraw.Draw(alpha).ellipse((30, 15, 210, 145), fill=255)
    picture.putalpha(
        alpha.filter(ImageFilter.GaussianBlur(8)).resize((2400, 1600), Image.Resampling.BICUBIC)
    )
    picture.save(images / HEROES[2], "PNG")
    out: dict[str, tuple[tuple[int, int], int]] = {}
    for name in HEROES:
        with Image.open(images / name) as opened:
            out[name] = (opened.size, (images / name).stat().st_size)
    return out


def make_corpus(folder: Path, pages: int) -> Corpus:
    """Write `pages` two-language services into a fresh `folder`."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "images").mkdir(parents=True)
    shutil.copy(SEED / "brochure.toml", folder / "brochure.toml")
    shutil.copy(SEED / "images" / "logo.svg", folder / "images" / "logo.svg")
    heroes = make_heroes(folder / "images")
    files: list[Path] = []
    for index in range(pages):
        slug, texts = page_texts(index)
        for lang, text in texts.items():
            path = folder / f"{slug}.{lang}.md"
            path.write_text(text, encoding="utf-8")
            files.append(path)
    return Corpus(folder, files, heroes)

"""Finish a print shop's PDF with pikepdf: CMYK only, marks in registration colour.

WeasyPrint writes the `print` profile's PDF/X-4 with the CMYK output intent, the page text in
`device-cmyk()` and the hero already separated (`images.prepare`). What it cannot do is done
here, on the PDF it wrote:

1. Every colour still in RGB, grey or CIELAB (the logo's and the QR code's SVG, hairlines,
   tints) becomes a `k`/`K` operator through `color.to_cmyk`: no `rg`, `RG`, `g`, `G` or
   `sc` in an RGB space is left in any content stream, form or pattern. The brand colours of
   `brochure.toml` map to their own CMYK values wherever they appear, the logo included.
2. Every image not yet in CMYK is separated through the same profile (its soft mask kept),
   and every CMYK image is tagged with that profile (ICCBased, the output intent's stream).
3. The page grows a slug around the bleed, and crop and registration marks are drawn there in
   registration colour (`/Separation /All`: every plate), outside the BleedBox, as artifacts.
4. The output intent names its condition (FOGRA39, registry color.org).
5. Transparency a PDF/X-4 consumer might flatten badly (opacity, blend modes, soft-mask
   groups) is reported.

The XMP packet of every print PDF also claims PDF/UA-1: the file is tagged like the office
PDF, which WeasyPrint writes as PDF/UA-1. The result is saved with a deterministic /ID, so
the same inputs still give the same bytes.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pikepdf
from pikepdf import (
    Array,
    ContentStreamInlineImage,
    ContentStreamInstruction,
    Dictionary,
    Name,
    Operator,
)

from . import color

_Instruction = ContentStreamInstruction | ContentStreamInlineImage

MM = 72 / 25.4
MARK_GAP_MM = 0.5  # between the bleed and the start of a crop mark
MARK_LENGTH_MM = 5.0
SLUG_MM = 6.0  # paper beyond the bleed, where the marks are drawn
MARK_WIDTH_PT = 0.25
TARGET_RADIUS_MM = 1.8

_DEVICE = {"/DeviceRGB": "rgb", "/DeviceGray": "gray", "/DeviceCMYK": "cmyk"}
_CONVERTED = ("rgb", "gray", "cmyk", "lab")


def finish(
    data: bytes, cmyk: bool, palette: dict[color.RGB, color.CMYK]
) -> tuple[bytes, list[str]]:
    """The finished PDF, and what could not be made press-ready (one line each)."""
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if cmyk:
            _Separator(pdf, palette, problems).run()
            _draw_marks(pdf)
            _name_output_intent(pdf)
            _tag_images(pdf)
            problems += _transparency(pdf)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfuaid:part"] = "1"
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue(), sorted(set(problems))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else float(str(value))


class _Separator:
    """Rewrites content streams and images of one PDF into DeviceCMYK."""

    def __init__(
        self, pdf: pikepdf.Pdf, palette: dict[color.RGB, color.CMYK], problems: list[str]
    ) -> None:
        self.pdf = pdf
        self.palette = palette
        self.problems = problems
        self.done: set[tuple[int, int]] = set()

    def run(self) -> None:
        for page in self.pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            data = self._rewrite(pikepdf.parse_content_stream(page), resources)
            page.obj.Contents = self.pdf.make_stream(data)
            self._resources(resources)

    # -- colours ------------------------------------------------------------------------

    def _rgb(self, values: list[float]) -> color.CMYK:
        rgb = tuple(max(0, min(255, round(v * 255))) for v in values)
        key = (rgb[0], rgb[1], rgb[2])
        if key not in self.palette:
            self.palette[key] = color.to_cmyk(key)
        return self.palette[key]

    def _cmyk(self, kind: str, values: list[float]) -> color.CMYK | None:
        if kind == "rgb" and len(values) == 3:
            return self._rgb(values)
        if kind == "gray" and len(values) == 1:
            return self._rgb(values * 3)
        if kind == "cmyk" and len(values) == 4:
            return (values[0], values[1], values[2], values[3])
        if kind == "lab" and len(values) == 3:
            return color.lab_to_cmyk((values[0], values[1], values[2]))
        return None

    def _space(self, name: object, resources: pikepdf.Object) -> str:
        """What kind of colour space a `cs`/`CS` operand names."""
        key = str(name)
        if key in _DEVICE:
            return _DEVICE[key]
        spaces = resources.get("/ColorSpace", Dictionary())
        space = spaces.get(key) if isinstance(spaces, Dictionary) else None
        return self._kind(space)

    def _kind(self, space: pikepdf.Object | None) -> str:
        if space is None:
            return "other"
        if isinstance(space, Name):
            return _DEVICE.get(str(space), "other")
        if isinstance(space, Array) and len(space) >= 2:
            family = str(space[0])
            if family == "/ICCBased":
                return {1: "gray", 3: "rgb", 4: "cmyk"}.get(int(space[1].get("/N", 0)), "other")
            if family == "/Lab":
                return "lab"
            if family == "/CalRGB":
                return "rgb"
            if family == "/CalGray":
                return "gray"
            if family == "/Pattern":
                return "pattern"
        return "other"

    # -- content streams ----------------------------------------------------------------

    def _rewrite(self, instructions: Sequence[_Instruction], resources: pikepdf.Object) -> bytes:
        out: list[_Instruction] = []
        fill = stroke = "gray"
        stack: list[tuple[str, str]] = []
        for instruction in instructions:
            if isinstance(instruction, ContentStreamInlineImage):
                self.problems.append("an inline image stays in its own colour space")
                out.append(instruction)
                continue
            operands, operator = list(instruction.operands), str(instruction.operator)
            upper = operator.isupper() or operator in ("CS", "SC", "SCN")
            if operator == "q":
                stack.append((fill, stroke))
            elif operator == "Q" and stack:
                fill, stroke = stack.pop()
            elif operator in ("rg", "RG", "g", "G", "k", "K"):
                kind = {"rg": "rgb", "g": "gray", "k": "cmyk"}[operator.lower()]
                cmyk = self._cmyk(kind, [_number(v) for v in operands])
                if cmyk is not None:
                    out.append(_set(cmyk, stroke=operator.isupper()))
                    fill, stroke = (fill, "cmyk") if operator.isupper() else ("cmyk", stroke)
                    continue
            elif operator in ("cs", "CS"):
                kind = self._space(operands[0], resources)
                if kind in _CONVERTED:
                    # `cs` resets the colour to the space's initial one: black (or L* 0).
                    out.append(_set((0.0, 0.0, 0.0, 1.0), stroke=upper))
                    fill, stroke = (fill, kind) if upper else (kind, stroke)
                    continue
                fill, stroke = (fill, kind) if upper else (kind, stroke)
            elif operator in ("sc", "scn", "SC", "SCN"):
                kind = stroke if upper else fill
                if kind in _CONVERTED:
                    cmyk = self._cmyk(kind, [_number(v) for v in operands])
                    if cmyk is not None:
                        out.append(_set(cmyk, stroke=upper))
                        continue
            elif operator == "Do":
                self._xobject(resources, operands[0])
            elif operator == "sh":
                shadings = resources.get("/Shading", Dictionary())
                if str(operands[0]) in shadings:
                    self._shading(shadings[str(operands[0])])
            out.append(instruction)
        return pikepdf.unparse_content_stream(out)

    def _resources(self, resources: pikepdf.Object) -> None:
        """Forms, patterns, shadings and images that the resources hold."""
        if not isinstance(resources, Dictionary):
            return
        for name in list(resources.get("/XObject", Dictionary()).keys()):
            self._xobject(resources, name)
        for pattern in resources.get("/Pattern", Dictionary()).values():
            if pattern.get("/PatternType") == 1 and self._first(pattern):
                inner = pattern.get("/Resources", resources)
                pattern.write(self._rewrite(pikepdf.parse_content_stream(pattern), inner))
                self._resources(inner)
            elif pattern.get("/PatternType") == 2:
                self._shading(pattern.Shading)
        for shading in resources.get("/Shading", Dictionary()).values():
            self._shading(shading)

    def _first(self, obj: pikepdf.Object) -> bool:
        """True the first time an indirect object is met (shared objects are done once)."""
        if not obj.is_indirect:
            return True
        if obj.objgen in self.done:
            return False
        self.done.add(obj.objgen)
        return True

    def _xobject(self, resources: pikepdf.Object, name: object) -> None:
        xobjects = resources.get("/XObject", Dictionary())
        xobject = xobjects.get(str(name)) if isinstance(xobjects, Dictionary) else None
        if xobject is None or not self._first(xobject):
            return
        if xobject.get("/Subtype") == "/Image":
            self._image(xobject)
        elif xobject.get("/Subtype") == "/Form":
            inner = xobject.get("/Resources", resources)
            group = xobject.get("/Group")
            if isinstance(group, Dictionary) and "/CS" in group:
                group.CS = Name.DeviceCMYK
            xobject.write(self._rewrite(pikepdf.parse_content_stream(xobject), inner))
            self._resources(inner)

    def _shading(self, shading: pikepdf.Object) -> None:
        if not self._first(shading) or self._kind(shading.get("/ColorSpace")) == "cmyk":
            return
        kind = self._kind(shading.get("/ColorSpace"))
        function = shading.get("/Function")
        if kind in _CONVERTED and function is not None and self._function(kind, function):
            shading.ColorSpace = Name.DeviceCMYK
        else:
            self.problems.append(f"a gradient stays in its own colour space ({kind})")

    def _function(self, kind: str, function: pikepdf.Object) -> bool:
        """Convert an interpolation (type 2) or stitching (type 3) function's colours."""
        if function.get("/FunctionType") == 2:
            ends = []
            for key in ("/C0", "/C1"):
                values = [_number(v) for v in function.get(key, Array([0] * 3))]
                cmyk = self._cmyk(kind, values)
                if cmyk is None:
                    return False
                ends.append(Array([Decimal(f"{v:.4f}") for v in cmyk]))
            function.C0, function.C1 = ends
            return True
        if function.get("/FunctionType") == 3:
            return all(self._function(kind, f) for f in function.Functions)
        return False

    # -- images -------------------------------------------------------------------------

    def _image(self, image: pikepdf.Object) -> None:
        if image.get("/ImageMask") or self._kind(image.get("/ColorSpace")) == "cmyk":
            return
        try:
            assert isinstance(image, pikepdf.Stream)
            picture = pikepdf.PdfImage(image).as_pil_image()
        except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
            self.problems.append("an image could not be read to separate it into CMYK")
            return
        separated = color.image_to_cmyk(picture.convert("RGB"))
        jpeg = image.get("/Filter") == "/DCTDecode"
        for key in ("/Decode", "/DecodeParms", "/Filter", "/Intent"):
            if key in image:
                del image[key]
        if jpeg:
            buffer = io.BytesIO()
            separated.save(buffer, "JPEG", quality=92)
            # Pillow writes Adobe's inverted CMYK JPEG: the Decode array turns it back.
            image.write(buffer.getvalue(), filter=Name.DCTDecode)
            image.Decode = Array([1, 0] * 4)
        else:
            image.write(zlib.compress(separated.tobytes(), 9), filter=Name.FlateDecode)
        image.ColorSpace = Name.DeviceCMYK
        image.BitsPerComponent = 8


def _set(cmyk: color.CMYK, stroke: bool) -> ContentStreamInstruction:
    values = [Decimal(f"{max(0.0, min(1.0, v)):.4f}").normalize() for v in cmyk]
    return ContentStreamInstruction(values, Operator("K" if stroke else "k"))


# -- marks ------------------------------------------------------------------------------


def _registration(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """The registration colour: a separation printed on every plate."""
    tint = Dictionary(
        FunctionType=2,
        Domain=Array([0, 1]),
        C0=Array([0, 0, 0, 0]),
        C1=Array([1, 1, 1, 1]),
        N=1,
    )
    return pdf.make_indirect(Array([Name.Separation, Name.All, Name.DeviceCMYK, tint]))


def _box(page: pikepdf.Page, key: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (_number(v) for v in page.obj.get(key, page.obj.MediaBox))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _marks(
    trim: tuple[float, float, float, float], bleed: tuple[float, float, float, float]
) -> Iterator[str]:
    """Path operators of the crop marks and registration targets around one page."""
    tx0, ty0, tx1, ty1 = trim
    bx0, by0, bx1, by1 = bleed
    gap, length = MARK_GAP_MM * MM, MARK_LENGTH_MM * MM
    # Crop marks: on the trim lines, starting just outside the bleed.
    corners = ((tx0, ty0, -1, -1), (tx1, ty0, 1, -1), (tx0, ty1, -1, 1), (tx1, ty1, 1, 1))
    for x, y, dx, dy in corners:
        out_x = bx0 - gap if dx < 0 else bx1 + gap
        out_y = by0 - gap if dy < 0 else by1 + gap
        yield f"{out_x:.3f} {y:.3f} m {out_x + dx * length:.3f} {y:.3f} l S"
        yield f"{x:.3f} {out_y:.3f} m {x:.3f} {out_y + dy * length:.3f} l S"
    # Registration targets: a circle and a cross in the middle of each side.
    radius = TARGET_RADIUS_MM * MM
    middle = gap + length / 2
    cx, cy = (tx0 + tx1) / 2, (ty0 + ty1) / 2
    for x, y in (
        (cx, by0 - middle),
        (cx, by1 + middle),
        (bx0 - middle, cy),
        (bx1 + middle, cy),
    ):
        yield _circle(x, y, radius)
        arm = radius * 1.45
        yield f"{x - arm:.3f} {y:.3f} m {x + arm:.3f} {y:.3f} l S"
        yield f"{x:.3f} {y - arm:.3f} m {x:.3f} {y + arm:.3f} l S"


def _circle(x: float, y: float, r: float) -> str:
    k = r * 4 * (math.sqrt(2) - 1) / 3
    return (
        f"{x + r:.3f} {y:.3f} m "
        f"{x + r:.3f} {y + k:.3f} {x + k:.3f} {y + r:.3f} {x:.3f} {y + r:.3f} c "
        f"{x - k:.3f} {y + r:.3f} {x - r:.3f} {y + k:.3f} {x - r:.3f} {y:.3f} c "
        f"{x - r:.3f} {y - k:.3f} {x - k:.3f} {y - r:.3f} {x:.3f} {y - r:.3f} c "
        f"{x + k:.3f} {y - r:.3f} {x + r:.3f} {y - k:.3f} {x + r:.3f} {y:.3f} c S"
    )


def _draw_marks(pdf: pikepdf.Pdf) -> None:
    """Grow each page by a slug and draw its marks there, outside the BleedBox."""
    registration = _registration(pdf)
    slug = SLUG_MM * MM
    for page in pdf.pages:
        trim = _box(page, "/TrimBox")
        bleed = _box(page, "/BleedBox")
        page.obj.BleedBox = Array([Decimal(f"{v:.4f}") for v in bleed])
        page.obj.MediaBox = Array(
            [
                Decimal(f"{v:.4f}")
                for v in (bleed[0] - slug, bleed[1] - slug, bleed[2] + slug, bleed[3] + slug)
            ]
        )
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]
        resources = page.obj.Resources
        if "/ColorSpace" not in resources:
            resources.ColorSpace = Dictionary()
        resources.ColorSpace.Registration = registration
        body = "\n".join(_marks(trim, bleed))
        # The page's own content is wrapped in q … Q: the marks start from a clean state.
        content = (
            f"Q\n/Artifact <</Type /Page>> BDC\nq\n"
            f"/Registration CS 1 SCN {MARK_WIDTH_PT} w 0 J [] 0 d\n{body}\nQ\nEMC\n"
        )
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(content.encode("ascii")), prepend=False)


def _name_output_intent(pdf: pikepdf.Pdf) -> None:
    """Name the condition, and embed the profile file as it is shipped (WeasyPrint writes
    lcms's re-serialisation of it, whose bytes vary between runs)."""
    shipped = color.profile_path().read_bytes()
    for intent in pdf.Root.get("/OutputIntents", Array()):
        intent.DestOutputProfile.write(zlib.compress(shipped, 9), filter=Name.FlateDecode)
        intent.OutputConditionIdentifier = pikepdf.String(color.OUTPUT_CONDITION)
        intent.OutputCondition = pikepdf.String(color.OUTPUT_CONDITION_TEXT)
        intent.RegistryName = pikepdf.String(color.REGISTRY)
        intent.Info = pikepdf.String(f"{color.OUTPUT_CONDITION} ({color.PROFILE_NAME})")


def _tag_images(pdf: pikepdf.Pdf) -> None:
    """CMYK images tagged with the output intent's own profile: the same separations for
    the press, and viewers that ignore output intents (pdfium, pdf.js) show true colours."""
    intents = pdf.Root.get("/OutputIntents", Array())
    if not intents:
        return
    space = pdf.make_indirect(Array([Name.ICCBased, intents[0].DestOutputProfile]))
    for obj in pdf.objects:
        if (
            isinstance(obj, pikepdf.Stream)
            and obj.get("/Subtype") == "/Image"
            and obj.get("/ColorSpace") == "/DeviceCMYK"
        ):
            obj.ColorSpace = space


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary in the file, direct ones (inside others) included."""

    def inside(obj: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, Dictionary):
            yield obj
            values: Iterator[pikepdf.Object] = iter(obj.values())
        elif isinstance(obj, Array):
            values = iter(obj)
        else:
            return
        for value in values:
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                yield from inside(value)

    for obj in pdf.objects:
        yield from inside(obj)


def _transparency(pdf: pikepdf.Pdf) -> list[str]:
    """Live transparency that a RIP would have to flatten."""
    found: list[str] = []
    for obj in _dictionaries(pdf):
        for key in ("/ca", "/CA"):
            if key in obj and _number(obj[key]) < 1:
                found.append("transparency (an opacity below 1)")
        if str(obj.get("/BM", "/Normal")) not in ("/Normal", "/Compatible"):
            found.append(f"transparency (blend mode {str(obj.BM)[1:]})")
        if obj.get("/Type") == "/ExtGState" and isinstance(obj.get("/SMask"), Dictionary):
            found.append("transparency (a soft mask)")
    return found

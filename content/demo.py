"""Demo outreach site in Vietnamese: home, articles, model stories, the magazine, the recognition list.

Called by ``load_demo_data`` after the demo province. Pages are matched on their slug below the home
page and images on their title, so running it again changes nothing. Images are coloured placeholders
drawn with Pillow, each carrying its Vietnamese caption.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.translation import gettext

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from PIL import Image, ImageDraw, ImageFont

from evaluations.models import AdministrativeUnit, Evaluation, SubjectKind, UnitLevel
from evaluations.models.units import in_subtree
from evaluations.selectors import public_recognitions
from home.models import HomePage

from .models import (
    ArticleCategory,
    ArticleIndexPage,
    ArticlePage,
    MagazineIssue,
    MagazinePage,
    ModelStoryPage,
    ModelStoryPhoto,
    RecognitionListPage,
    StandardPage,
    SubscriptionTarget,
)

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
]

PALETTE = [(11, 92, 138), (18, 122, 107), (179, 84, 30), (94, 60, 140), (47, 125, 50), (140, 45, 60)]


def placeholder_document(title: str, image):
    """A one-page PDF of ``image`` (a demo magazine issue's file); reused when one with ``title`` exists."""
    document_model = get_document_model()
    existing = document_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    buffer = io.BytesIO()
    with image.file.open("rb") as picture:
        Image.open(picture).convert("RGB").save(buffer, "PDF")
    document = document_model(title=title, file_size=buffer.tell())
    document.file = ContentFile(buffer.getvalue(), name=f"demo-{abs(hash(title)) % 10**8}.pdf")
    document.save()
    return document


def placeholder_image(title: str, caption: str, colour: tuple[int, int, int], size=(1200, 675)):
    """A wagtail Image of one colour with ``caption`` written on it; reused when one with ``title`` exists."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    canvas = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(canvas)
    # A lighter band and circles: enough shape to look like an illustration, not an error.
    light = tuple(min(255, c + 60) for c in colour)
    draw.rectangle([0, size[1] * 2 // 3, size[0], size[1]], fill=light)
    draw.ellipse([size[0] - 380, -120, size[0] + 80, 340], fill=light)
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    font = ImageFont.truetype(font_path, 64) if font_path else ImageFont.load_default(64)
    words, lines, line = caption.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > size[0] - 160 and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    y = size[1] // 3 - len(lines) * 36
    for text in lines:
        draw.text((80, y), text, font=font, fill=(255, 255, 255))
        y += 88
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=82)
    image = image_model(title=title)
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name=f"demo-{abs(hash(title)) % 10**8}.jpg")
    image.save()
    return image


def p(*paragraphs: str) -> tuple[str, str]:
    return ("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))


CATEGORIES = [
    ("Gia đình học tập", "gia-dinh-hoc-tap"),
    ("Xã hội học tập", "xa-hoi-hoc-tap"),
    ("Chuyển đổi số", "chuyen-doi-so"),
    ("Khuyến học, khuyến tài", "khuyen-hoc-khuyen-tai"),
]

ARTICLES = [
    {
        "slug": "tu-sach-gia-dinh-o-phuoc-hai",
        "title": "Tủ sách gia đình: nếp đọc mới ở các thôn ven biển Phước Hải",
        "date": datetime.date(2025, 11, 20),
        "author": "Minh Thư",
        "intro": "Mỗi tối, sau giờ đi biển, nhiều gia đình ở Phước Hải dành nửa giờ đọc sách cùng con. "
        "Tủ sách nhỏ trong nhà đã trở thành tiêu chí quen thuộc của danh hiệu Gia đình học tập.",
        "categories": ["gia-dinh-hoc-tap"],
        "tags": ["văn hóa đọc", "gia đình học tập"],
        "body": [
            p(
                "Từ năm 2022, chi hội khuyến học các thôn Từ Thiện, Thái An vận động mỗi hộ dành một góc "
                "nhỏ làm tủ sách. Sách được đổi luân phiên giữa các gia đình, học sinh giỏi được tặng thêm "
                "sách tham khảo vào dịp tổng kết năm học.",
                "Theo Hội Khuyến học xã, đến cuối năm 2025 đã có hơn bốn trăm hộ duy trì tủ sách gia đình, "
                "nhiều hộ đăng ký danh hiệu Gia đình học tập ngay từ đầu năm.",
            ),
            (
                "quote",
                {
                    "quote": "Ngày trước tối nào các cháu cũng xem điện thoại. Giờ cả nhà thi nhau đọc, "
                    "tuần nào cũng kể cho nhau nghe một cuốn sách.",
                    "attribution": "Một phụ huynh ở thôn Từ Thiện",
                },
            ),
            p("Phong trào được lồng ghép với danh hiệu Gia đình văn hóa, nên được các thôn hưởng ứng rộng rãi."),
        ],
    },
    {
        "slug": "so-ket-chuong-trinh-387",
        "title": "Sơ kết chương trình học tập suốt đời giai đoạn 2021-2025",
        "date": datetime.date(2025, 12, 12),
        "author": "Ban Thường vụ Hội Khuyến học tỉnh",
        "intro": "Tỷ lệ gia đình, dòng họ, cộng đồng và đơn vị học tập tăng đều qua từng năm; "
        "nhiều chỉ tiêu của Quyết định 387/QĐ-TTg đã đạt hoặc gần đạt.",
        "categories": ["xa-hoi-hoc-tap"],
        "tags": ["Quyết định 387", "sơ kết"],
        "body": [
            p(
                "Thực hiện Kế hoạch của Ủy ban nhân dân tỉnh triển khai Quyết định 387/QĐ-TTg, các cấp hội "
                "đã tổ chức đánh giá, công nhận các mô hình học tập hằng năm theo bộ tiêu chí đã ban hành."
            ),
            (
                "key_figures",
                {
                    "heading": "Kết quả năm 2025 (số liệu minh họa)",
                    "figures": [
                        {"value": "67%", "label": "hộ đạt Gia đình học tập"},
                        {"value": "63%", "label": "dòng họ đạt Dòng họ học tập"},
                        {"value": "79%", "label": "thôn, khu phố đạt Cộng đồng học tập"},
                        {"value": "84%", "label": "đơn vị đạt Đơn vị học tập"},
                    ],
                },
            ),
            (
                "progress_chart",
                {
                    "title": "Tiến độ so với chỉ tiêu năm 2025",
                    "unit": "%",
                    "rows": [
                        {"label": "Gia đình học tập", "value": "67", "target": "70"},
                        {"label": "Dòng họ học tập", "value": "63", "target": "65"},
                        {"label": "Cộng đồng học tập", "value": "79", "target": "65"},
                        {"label": "Đơn vị học tập", "value": "84", "target": "80"},
                    ],
                },
            ),
            p("Hội nghị sơ kết dự kiến tổ chức vào quý I năm 2026, kết hợp biểu dương các mô hình tiêu biểu."),
        ],
    },
    {
        "slug": "trung-tam-hoc-tap-cong-dong-chuyen-doi-so",
        "title": "Trung tâm học tập cộng đồng mở lớp kỹ năng số cho người lớn tuổi",
        "date": datetime.date(2025, 10, 5),
        "author": "Thanh Hà",
        "intro": "Các lớp học buổi tối giúp người dân biết dùng điện thoại thông minh để tra cứu thông tin, "
        "nộp hồ sơ trực tuyến và học nghề qua mạng.",
        "categories": ["chuyen-doi-so"],
        "tags": ["kỹ năng số", "trung tâm học tập cộng đồng"],
        "body": [
            p(
                "Mỗi lớp kéo dài tám buổi, do đoàn viên thanh niên và giáo viên tình nguyện hướng dẫn. Học viên "
                "được thực hành cài đặt ứng dụng dịch vụ công, thanh toán không dùng tiền mặt và nhận diện tin giả.",
                "Nhiều học viên sau khóa học đã tự tìm hiểu kỹ thuật trồng nho, nuôi dê qua các kênh video hướng dẫn.",
            ),
        ],
    },
    {
        "slug": "quy-khuyen-hoc-dong-ho",
        "title": "Quỹ khuyến học dòng họ: tiếp sức cho con cháu đến trường",
        "date": datetime.date(2025, 9, 2),
        "author": "Quốc Bảo",
        "intro": "Nhiều dòng họ lập quỹ khuyến học riêng, khen thưởng con cháu học giỏi và hỗ trợ học sinh "
        "có hoàn cảnh khó khăn mỗi dịp khai giảng.",
        "categories": ["khuyen-hoc-khuyen-tai"],
        "tags": ["dòng họ học tập", "quỹ khuyến học"],
        "body": [
            p(
                "Quỹ được đóng góp tự nguyện từ các gia đình trong họ, công khai thu chi vào ngày giỗ tổ. "
                "Các dòng họ đạt danh hiệu Dòng họ học tập đều duy trì quỹ đều đặn nhiều năm liền."
            ),
        ],
    },
    {
        "slug": "cong-dan-hoc-tap-la-gi",
        "title": "Công dân học tập: mỗi người một kế hoạch học tập trong năm",
        "date": datetime.date(2025, 8, 15),
        "author": "Hội Khuyến học tỉnh",
        "intro": "Bộ tiêu chí Công dân học tập đánh giá năng lực tự học, sử dụng công cụ tương tác và xây dựng "
        "quan hệ xã hội, với mười chỉ số, mỗi chỉ số mười điểm.",
        "categories": ["xa-hoi-hoc-tap"],
        "tags": ["công dân học tập"],
        "body": [
            p(
                "Người được công nhận phải đạt từ 80 điểm trở lên và không có chỉ số nào dưới 5 điểm. "
                "Phiếu đánh giá chia theo bốn nhóm đối tượng: cán bộ, công chức; công nhân; nông dân và lao động "
                "tự do; các đối tượng khác."
            ),
        ],
    },
    {
        "slug": "don-vi-hoc-tap-truong-hoc",
        "title": "Trường học - đơn vị học tập: thầy cô cùng học với học trò",
        "date": datetime.date(2025, 6, 30),
        "author": "Ngọc Lan",
        "intro": "Các trường tiểu học, trung học cơ sở trong tỉnh tích cực tự đánh giá theo Thông tư "
        "22/2020/TT-BGDĐT, coi việc học thường xuyên của giáo viên là tiêu chí hàng đầu.",
        "categories": ["xa-hoi-hoc-tap", "chuyen-doi-so"],
        "tags": ["đơn vị học tập", "trường học"],
        "body": [
            p(
                "Hồ sơ tự đánh giá gồm báo cáo và bảng tổng hợp số liệu từ ngày 1 tháng 1 đến 31 tháng 12, "
                "nộp trước ngày 15 tháng 1 năm sau. Nhiều trường đạt loại Tốt nhiều năm liên tục."
            ),
        ],
    },
]

STORIES = [
    (
        SubjectKind.FAMILY,
        "Ba thế hệ cùng học",
        "Ông bà học dùng điện thoại, cha mẹ học nghề mới, các cháu học giỏi: một gia đình học tập tiêu biểu.",
        [
            "Gia đình có ba thế hệ chung sống. Mỗi tối, cả nhà dành thời gian đọc sách, kèm cặp các cháu học bài.",
            "Năm qua, người cha theo học lớp kỹ thuật trồng nho an toàn, người mẹ học lớp kế toán hợp tác xã; "
            "hai cháu đều đạt danh hiệu học sinh giỏi.",
        ],
    ),
    (
        SubjectKind.CLAN,
        "Một dòng họ, một quỹ khuyến học bền bỉ",
        "Hơn mười năm duy trì quỹ khuyến học, dòng họ đã tiếp sức cho hàng chục con cháu vào đại học.",
        [
            "Mỗi dịp giỗ tổ, dòng họ tổ chức tuyên dương con cháu học giỏi, thi đỗ đại học và người lớn "
            "hoàn thành các khóa học nghề.",
            "Quỹ được công khai thu chi, các chi trong họ cùng đóng góp theo khả năng.",
        ],
    ),
    (
        SubjectKind.UNIT,
        "Đơn vị học tập: học thường xuyên thành nếp",
        "Mỗi cán bộ, giáo viên đăng ký một nội dung tự học trong năm và chia sẻ lại với đồng nghiệp.",
        [
            "Đơn vị xây dựng kế hoạch học tập hằng năm, khuyến khích cán bộ học nâng cao trình độ, "
            "ngoại ngữ và kỹ năng số.",
            "Kết quả học tập được đưa vào đánh giá thi đua cuối năm.",
        ],
    ),
]


def add_page(parent: Page, page: Page) -> Page:
    """``page`` under ``parent`` (published), or the page already there with the same slug."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def build_site(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Create the demo pages that are missing; returns how many pages were created."""
    progress = progress or (lambda message: None)
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return {"pages created": 0}
    home = site.root_page.specific
    before = Page.objects.count()
    with transaction.atomic():
        if isinstance(home, HomePage) and not home.cta_title:
            home.title = "Hội Khuyến học tỉnh Ninh Thuận"
            home.intro = (
                "<p>Xây dựng xã hội học tập: gia đình, dòng họ, cộng đồng và đơn vị cùng học tập suốt đời. "
                "Tra cứu các mô hình học tập đã được công nhận, đọc câu chuyện của những gia đình, "
                "dòng họ tiêu biểu và theo dõi tạp chí Công dân và Khuyến học.</p>"
            )
            home.search_description = (
                "Cổng thông tin của Hội Khuyến học tỉnh Ninh Thuận: danh sách gia đình, dòng họ, cộng đồng, "
                "đơn vị học tập được công nhận; tin tức và câu chuyện học tập suốt đời."
            )
            home.cta_title = "Gia đình bạn đã đăng ký danh hiệu Gia đình học tập năm nay?"
            home.cta_text = (
                "Liên hệ chi hội khuyến học ở thôn, khu phố để được hướng dẫn tự đánh giá theo bộ tiêu chí. "
                "Kết quả công nhận được công bố tại đây sau khi Ủy ban nhân dân xã ký quyết định."
            )
            home.cta_label = "Xem danh sách đã công nhận"
            home.save_revision().publish()
            home.refresh_from_db()

        # Today's province: its list also holds the recognitions of the former units that went into it.
        province = AdministrativeUnit.objects.current().filter(code="56", level=UnitLevel.PROVINCE).first()
        recognition_page = add_page(
            home,
            RecognitionListPage(
                title="Danh sách mô hình học tập được công nhận",
                slug="danh-sach-cong-nhan",
                show_in_menus=True,
                area=province,
                intro="Tra cứu gia đình, dòng họ, cộng đồng và đơn vị học tập đã được Ủy ban nhân dân cấp xã "
                "công nhận. Danh sách chỉ gồm các mô hình đồng ý công bố.",
                search_description="Tra cứu gia đình, dòng họ, cộng đồng, đơn vị học tập được công nhận theo "
                "loại, địa bàn, năm và xếp loại.",
            ),
        )
        if isinstance(home, HomePage) and home.cta_page_id is None:
            home.cta_page = recognition_page
            home.save_revision().publish()

        categories = {}
        for name, slug in CATEGORIES:
            categories[slug], _ = ArticleCategory.objects.get_or_create(slug=slug, defaults={"name": name})

        news = add_page(
            home,
            ArticleIndexPage(
                title="Tin tức",
                slug="tin-tuc",
                show_in_menus=True,
                intro="Tin hoạt động khuyến học, khuyến tài và xây dựng xã hội học tập trong tỉnh.",
            ),
        )
        for n, spec in enumerate(ARTICLES):
            image = placeholder_image(f"Ảnh minh họa: {spec['title']}", spec["title"], PALETTE[n % len(PALETTE)])
            article = ArticlePage(
                title=spec["title"],
                slug=spec["slug"],
                date=spec["date"],
                author=spec["author"],
                intro=spec["intro"],
                search_description=spec["intro"][:160],
                image=image,
                image_alt=f"Ảnh minh họa: {spec['title']}",
                body=spec["body"],
            )
            if news.get_children().filter(slug=article.slug).exists():
                continue
            article.categories = [categories[slug] for slug in spec["categories"]]
            article.tags.add(*spec["tags"])
            add_page(news, article)

        stories_index = add_page(
            home,
            ArticleIndexPage(
                title="Mô hình tiêu biểu",
                slug="mo-hinh-tieu-bieu",
                show_in_menus=True,
                intro="Câu chuyện của những gia đình, dòng họ, cộng đồng và đơn vị học tập được công nhận.",
            ),
        )
        for n, (kind, title, intro, paragraphs) in enumerate(STORIES):
            recognition = public_recognitions(kind=kind, area=province).first()
            if recognition is None:
                continue
            slug = f"cau-chuyen-{kind}"
            if stories_index.get_children().filter(slug=slug).exists():
                continue
            name = recognition["subject__name"]
            colour = PALETTE[(n + 3) % len(PALETTE)]
            main = placeholder_image(f"Ảnh: {name}", f"{name} – {recognition['area__name']}", colour)
            story = ModelStoryPage(
                title=f"{title}: {name}",
                slug=slug,
                subject_id=Evaluation.objects.values_list("subject_id", flat=True).get(pk=recognition["pk"]),
                date=datetime.date(2026, 1, 10 + n),
                author="Ban Tuyên truyền",
                intro=intro,
                search_description=intro[:160],
                image=main,
                image_alt=f"{name} tại {recognition['area__name']}",
                body=[p(*paragraphs)],
            )
            for m, caption in enumerate(["Góc học tập trong nhà", "Buổi sinh hoạt khuyến học"]):
                photo = placeholder_image(
                    f"{caption}: {name}", caption, PALETTE[(n + m) % len(PALETTE)], size=(960, 720)
                )
                story.photos.add(ModelStoryPhoto(image=photo, alt_text=f"{caption} – {name}", caption=caption))
            add_page(stories_index, story)

        magazine = MagazinePage(
            title="Tạp chí Công dân và Khuyến học",
            slug="tap-chi-cong-dan-va-khuyen-hoc",
            show_in_menus=True,
            intro="Tạp chí của Hội Khuyến học Việt Nam, tiếng nói của phong trào khuyến học, khuyến tài và "
            "xây dựng xã hội học tập. Mỗi cán bộ, hội viên hãy là một bạn đọc thường xuyên.",
            subscribe="<ol><li>Đăng ký tại chi hội khuyến học thôn, khu phố hoặc Hội Khuyến học xã.</li>"
            "<li>Hoặc đặt mua tại bưu cục gần nhất (mã ấn phẩm trên danh mục báo chí của Bưu điện).</li>"
            "<li>Phí đặt mua theo quý, tạp chí được giao tận nhà.</li></ol>",
            drive_title="Vận động đặt mua năm 2026 theo địa bàn",
            search_description="Tạp chí Công dân và Khuyến học: các số mới, cách đặt mua và tiến độ cuộc "
            "vận động đặt mua trong tỉnh.",
        )
        if not home.get_children().filter(slug=magazine.slug).exists():
            for n, (title, date, summary) in enumerate(
                [
                    ("Số 12 - tháng 12/2025", datetime.date(2025, 12, 1), "Chuyên đề: sơ kết 5 năm học tập suốt đời."),
                    ("Số 11 - tháng 11/2025", datetime.date(2025, 11, 1), "Văn hóa đọc trong gia đình."),
                    ("Số 10 - tháng 10/2025", datetime.date(2025, 10, 1), "Kỹ năng số cho người lớn tuổi."),
                ]
            ):
                cover = placeholder_image(
                    f"Bìa tạp chí {title}", f"Công dân và Khuyến học – {title}", PALETTE[n], size=(600, 800)
                )
                issue_file = placeholder_document(f"Tạp chí Công dân và Khuyến học – {title}", cover)
                magazine.issues.add(
                    MagazineIssue(title=title, published=date, cover=cover, summary=summary, document=issue_file)
                )
            # The 2026 drive by today's communes of the former Ninh Thuận (districts are gone).
            communes = AdministrativeUnit.objects.current().filter(
                in_subtree(_old_province_path(), field="predecessors__old_unit"), level=UnitLevel.COMMUNE
            )
            for n, commune in enumerate(communes.distinct().order_by("path")):
                target = 120 + (n * 97) % 200
                magazine.drive_targets.add(
                    SubscriptionTarget(area=commune, target=target, subscribed=target * (45 + (n * 13) % 60) // 100)
                )
            add_page(home, magazine)

        add_page(
            home,
            StandardPage(
                title="Giới thiệu",
                slug="gioi-thieu",
                show_in_menus=True,
                intro="Hội Khuyến học tỉnh Ninh Thuận vận động toàn dân học tập suốt đời, xây dựng xã hội học tập.",
                body=[
                    p(
                        "Hội có hơn 115.900 hội viên, 7 hội khuyến học cấp huyện, 67 hội cơ sở và 1.054 chi hội. "
                        "Hội phối hợp với các sở, ngành triển khai Chương trình đẩy mạnh phong trào học tập suốt "
                        "đời trong gia đình, dòng họ, cộng đồng, đơn vị giai đoạn 2021-2030.",
                        "Trang thông tin này công bố danh sách các mô hình học tập được công nhận, chỉ gồm tên "
                        "hiển thị, thôn và xã, năm, xếp loại và quyết định công nhận. Những gia đình, đơn vị đề "
                        "nghị không công bố sẽ không xuất hiện. Hồ sơ minh chứng không bao giờ được công khai.",
                    ),
                    (
                        "key_figures",
                        {
                            "heading": "Tổ chức Hội",
                            "figures": [
                                {"value": "115.900", "label": "hội viên"},
                                {"value": "67", "label": "hội cơ sở"},
                                {"value": "1.054", "label": "chi hội"},
                            ],
                        },
                    ),
                ],
            ),
        )
    created = Page.objects.count() - before
    progress(gettext("demo site: %(count)d pages created") % {"count": created})
    return {"pages created": created}


def _old_province_path() -> str:
    """Path of the former Ninh Thuận, where the demo's register began."""
    old = AdministrativeUnit.objects.filter(code="58", level=UnitLevel.PROVINCE).first()
    return old.path if old else "-"

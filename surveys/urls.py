from django.urls import path

from surveys.responses import export_views
from surveys.responses import views as response_views
from surveys.rounds import views
from surveys.sampling import views as frame_views

app_name = "surveys"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("<str:code>/", views.round_overview, name="round_overview"),
    path("<str:code>/nhap-bang-tinh/", views.round_import, name="round_import"),
    path("<str:code>/mau-bang-tinh/", views.round_template, name="round_template"),
    path("<str:code>/tien-do.xlsx", views.round_progress_xlsx, name="round_progress_xlsx"),
    # Phiếu của đợt: danh sách, tải XLSX, xem, nhập mới, sửa.
    path("<str:code>/phieu/", response_views.response_list, name="response_list"),
    path("<str:code>/phieu/xlsx/", response_views.response_list_xlsx, name="response_list_xlsx"),
    path("<str:code>/phieu/moi/", response_views.response_create, name="response_create"),
    path("<str:code>/phieu/<int:pk>/", response_views.response_detail, name="response_detail"),
    path("<str:code>/phieu/<int:pk>/sua/", response_views.response_edit, name="response_edit"),
    # Dữ liệu phiếu ẩn danh (không có câu trả lời tự do): trang mô tả và ba định dạng tải về.
    path("<str:code>/du-lieu-phieu/", export_views.response_data, name="response_data"),
    path("<str:code>/du-lieu-phieu.xlsx", export_views.response_data_file, {"fmt": "xlsx"}, name="response_data_xlsx"),
    path("<str:code>/du-lieu-phieu.csv", export_views.response_data_file, {"fmt": "csv"}, name="response_data_csv"),
    path("<str:code>/du-lieu-phieu.sav", export_views.response_data_file, {"fmt": "sav"}, name="response_data_sav"),
    # Khung mẫu và chọn mẫu (surveys.sampling.views): người đã giải quyết thủ tục, chọn mẫu, danh sách, tỷ lệ thu về.
    path("<str:code>/khung-mau/", frame_views.frame_home, name="frame_home"),
    path("<str:code>/khung-mau/tai-len/", frame_views.frame_upload, name="frame_upload"),
    path("<str:code>/khung-mau/mau.xlsx", frame_views.frame_template, name="frame_template"),
    path("<str:code>/khung-mau/chon-mau/", frame_views.frame_draw, name="frame_draw"),
    path("<str:code>/khung-mau/nguoi-duoc-chon/", frame_views.frame_contacts, name="frame_contacts"),
    path("<str:code>/khung-mau/nguoi-duoc-chon.xlsx", frame_views.frame_contacts_xlsx, name="frame_contacts_xlsx"),
    path("<str:code>/khung-mau/danh-sach-gui-thu.xlsx", frame_views.frame_mailing_xlsx, name="frame_mailing_xlsx"),
    path("<str:code>/khung-mau/danh-sach-dien-thoai.xlsx", frame_views.frame_phone_xlsx, name="frame_phone_xlsx"),
    path("<str:code>/khung-mau/ty-le-thu-ve.xlsx", frame_views.frame_rates_xlsx, name="frame_rates_xlsx"),
    path("<str:code>/khung-mau/phieu-giay.pdf", frame_views.frame_paper_pdf, name="frame_paper_pdf"),
    path("<str:code>/khung-mau/xoa-thong-tin-ca-nhan/", frame_views.frame_purge, name="frame_purge"),
    path("<str:code>/khung-mau/<int:frame_id>/xoa/", frame_views.frame_delete, name="frame_delete"),
    path("<str:code>/truc-tuyen/", frame_views.desk_links, name="desk_links"),
    path("<str:code>/truc-tuyen.xlsx", frame_views.desk_links_xlsx, name="desk_links_xlsx"),
]

# Nhập phiếu giấy bằng bàn phím, nhập kép và cảnh báo chất lượng (issue 5: 4, 5, 8).
from surveys.responses import double_entry_views, quality_views  # noqa: E402

urlpatterns += [
    path("<str:code>/phieu/cua-toi/", response_views.my_responses, name="my_responses"),
    path("<str:code>/nhap-lan-hai/", double_entry_views.second_entry_queue, name="second_entry_queue"),
    path("<str:code>/nhap-lan-hai/<int:pk>/", double_entry_views.second_entry, name="second_entry"),
    path("<str:code>/doi-chieu/", double_entry_views.mismatch_list, name="mismatch_list"),
    path("<str:code>/doi-chieu.xlsx", double_entry_views.mismatch_list_xlsx, name="mismatch_list_xlsx"),
    path("<str:code>/doi-chieu/<int:pk>/", double_entry_views.mismatch_resolve, name="mismatch_resolve"),
    path("<str:code>/ty-le-khop/", double_entry_views.agreement, name="agreement"),
    path("<str:code>/ty-le-khop.xlsx", double_entry_views.agreement_xlsx, name="agreement_xlsx"),
    path("<str:code>/canh-bao/", quality_views.flag_list, name="flag_list"),
    path("<str:code>/canh-bao.xlsx", quality_views.flag_list_xlsx, name="flag_list_xlsx"),
    path("<str:code>/canh-bao/<int:pk>/xem-xet/", quality_views.flag_review, name="flag_review"),
]

# Thiết lập đợt (issue 5: 1–2): đợt mới, thiết lập và trạng thái, lưới chỉ tiêu, in phiếu giấy.
from surveys.rounds import setup_views as round_setup_views  # noqa: E402

# "moi/" goes first: "<str:code>/" would otherwise take it for a round code.
urlpatterns.insert(0, path("moi/", round_setup_views.round_create, name="round_create"))
urlpatterns += [
    path("<str:code>/thiet-lap/", round_setup_views.round_setup, name="round_setup"),
    path("<str:code>/thiet-lap/trang-thai/", round_setup_views.round_status, name="round_status"),
    path("<str:code>/thiet-lap/chi-tieu/", round_setup_views.quota_grid, name="quota_grid"),
    path("<str:code>/thiet-lap/chi-tieu.xlsx", round_setup_views.quota_grid_xlsx, name="quota_grid_xlsx"),
    path("<str:code>/thiet-lap/co-quan/", round_setup_views.round_members, name="round_members"),
    path("<str:code>/thiet-lap/phieu-giay/", round_setup_views.paper_print, name="paper_print"),
]

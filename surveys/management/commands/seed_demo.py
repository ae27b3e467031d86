"""python manage.py seed_demo --round CODE --responses N [--seed S]"""
from django.core.management.base import BaseCommand, CommandError

from surveys.management.commands._common import get_round
from surveys.models import Response, RoundAgencyDomain
from surveys.responses import services
from surveys.responses.demo import allocate, generate_rows


class Command(BaseCommand):
    help = "Thêm N phiếu mẫu hợp lệ, rải theo chỉ tiêu của đợt (tái lập được theo --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--responses", required=True, type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, round_code, responses, seed, **options):
        if responses < 1:
            raise CommandError("--responses phải là số dương.")
        survey_round = get_round(round_code)
        quotas = list(
            RoundAgencyDomain.objects.filter(round=survey_round)
            .order_by("agency__code", "domain__code")
            .values_list("agency__code", "domain__code", "quota")
        )
        if not quotas:
            raise CommandError(f"Đợt {round_code} chưa có cơ quan và lĩnh vực khảo sát.")
        prefix = f"DEMO-{seed}-"
        if Response.objects.filter(round=survey_round, ma_phieu__startswith=prefix).exists():
            raise CommandError(f"Đợt {round_code} đã có phiếu mẫu với --seed {seed}; hãy chọn --seed khác.")
        definition = services.load_storable_definition(survey_round)
        rows = list(
            generate_rows(
                definition,
                allocate(responses, quotas),
                seed=seed,
                first_day=survey_round.starts_on,
                last_day=survey_round.ends_on,
                serial_prefix=prefix,
            )
        )
        try:
            services.ensure_collecting(survey_round)
        except services.RoundNotOpen as exc:
            raise CommandError(str(exc)) from None
        saved = services.save_parsed_rows(
            survey_round=survey_round, definition=definition, rows=rows, entered_by=None
        )
        self.stdout.write(f"Đã thêm {saved} phiếu mẫu vào đợt {round_code}.")

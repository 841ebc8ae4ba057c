from django.core.management.base import BaseCommand, CommandError

from accounts import repository as accounts_repository
from patients import repository as patients_repository


class Command(BaseCommand):
    help = (
        "Rewrite the queue's derived attributes (queue_rank, queue_row) of every patient in "
        "the department of the given hospitals (all when none is given) and set their queue "
        "counters to what those patients add up to. Idempotent; run it after adding the "
        "queue-rank index and again after switching the code (README, 'Queue index')."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="hospital slugs (default: every hospital)")

    def handle(self, *args, **options):
        hospitals = [accounts_repository.hospital_get_by_slug(s) for s in options["slugs"]]
        if None in hospitals:
            raise CommandError("unknown hospital slug")
        if not options["slugs"]:
            hospitals = accounts_repository.hospitals_all()
        for hospital in hospitals:
            rewritten, retried = 0, 0
            for patient in patients_repository.patients_in_department(hospital.hospital_id):
                current = patient
                for _ in range(5):
                    if patients_repository.patient_rewrite_derived(current):
                        rewritten += 1
                        break
                    retried += 1  # changed meanwhile: read it again
                    current = patients_repository.patient_get(patient.patient_id, consistent=True)
                    if current is None or not current.in_queue:
                        break
            state = None
            for _ in range(10):  # the counters, from one consistent view of the department
                version = patients_repository.queue_state_get(hospital.hospital_id).version
                present = patients_repository.patients_in_department(hospital.hospital_id)
                state = patients_repository.queue_state_rebuild(
                    hospital.hospital_id, present, version
                )
                if state is not None:
                    break
            if state is None:
                raise CommandError(f"{hospital.slug}: the queue kept changing; run it again")
            self.stdout.write(
                f"{hospital.slug}: {rewritten} patients rewritten ({retried} read again), "
                f"counters set: {state.total} in the department, per level "
                f"{[state.per_level[n] for n in range(1, 6)]}"
            )

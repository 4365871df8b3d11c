"""The Persian words for the registry's own terms (roles, steps, statuses, sexes, kinds of event), the one
vocabulary that refusals, pages and printed text use, so that a step is called the same everywhere."""

ROLE_FA = {
    "clerk": "متصدی",
    "registrar": "مأمور ثبت",
    "office_head": "رئیس اداره",
    "national_admin": "مدیر ملی",
    "auditor": "بازرس",
    "investigator": "کارشناس کشف تقلب",
    "citizen": "شهروند",
}
ACTION_FA = {
    "read": "مشاهده",
    "read_office_work": "مشاهده کارتابل اداره",
    "read_cause_of_death": "مشاهده علت وفات",
    "read_office_dashboard": "مشاهده داشبورد اداره",
    "declare": "اعلام واقعه",
    "resubmit": "ارسال مجدد",
    "assign": "برداشتن کار",
    "validate": "بررسی و تأیید",
    "register": "ثبت نهایی",
    "reject": "رد",
    "approve_late": "تأیید ثبت خارج از مهلت",
    "correct": "اصلاح",
    "manage_users": "مدیریت کاربران",
    "read_accounts": "مشاهده کاربران و ورودهای آنان",
    "add_factor": "افزودن عامل دوم ورود",
    "manage_offices": "مدیریت ادارات",
    "issue_certificate": "صدور گواهی",
    "print_certificate": "چاپ گواهی",
    "revoke_certificate": "ابطال گواهی",
    "read_forgeries": "مشاهده گزارش جعل",
    "manage_partners": "مدیریت دستگاه‌های همکار",
    "enrol_citizen": "ثبت‌نام شهروند",
    "own_record": "مشاهده پرونده خود",
    "card_desk": "پذیرش درخواست کارت هوشمند",
    "enrol_card": "ثبت عکس و اثر انگشت برای کارت هوشمند",
    "issue_card": "ارسال برای تولید و تحویل کارت هوشمند",
    "revoke_card": "ابطال کارت هوشمند",
    "produce_cards": "ثبت تولید کارت هوشمند",
    "investigate": "بررسی موارد مشکوک به تکرار و تقلب",
    "run_linkage": "اجرای کشف موارد تکراری",
    "read_access_log": "مشاهده گزارش دسترسی کارکنان",
}
STATUS_FA = {
    "declared": "اعلام‌شده",
    "validated": "بررسی‌شده",
    "registered": "ثبت‌شده",
    "rejected": "ردشده",
    # cards
    "applied": "درخواست‌شده",
    "enrolled": "ثبت‌نام‌شده",
    "in_production": "در حال تولید",
    "ready": "آماده تحویل",
    "active": "فعال",
    "lost": "مفقود",
    "stolen": "سرقت‌شده",
    "damaged": "آسیب‌دیده",
    "replaced": "تعویض‌شده",
    "expired": "منقضی",
    "revoked": "باطل‌شده",
}
SEX_FA = {"male": "مرد", "female": "زن"}
NEEDS_FA = {"a national code": "کد ملی شخص", "a registered event": "شناسه واقعه ثبت‌شده"}
KIND_FA = {"birth": "ولادت", "death": "وفات", "marriage": "ازدواج", "divorce": "طلاق"}
# The office's work queues, as the desk and the office's dashboard name them.
QUEUE_FA = {
    "to-correct": "ردشده‌ها، نیازمند اصلاح و ارسال مجدد",
    "to-validate": "اعلام‌های در انتظار بررسی",
    "to-register": "بررسی‌شده‌ها در انتظار ثبت نهایی",
    "to-approve": "اعلام‌های خارج از مهلت در انتظار تأیید رئیس اداره",
    "mine": "کارهای در دست من",
    "to-print": "شناسنامه‌های در انتظار چاپ",
    "printed": "گواهی‌های چاپ‌شده در این اداره",
}
CERTIFICATE_FA = {
    "birth": "شناسنامه",
    "death": "گواهی فوت",
    "marriage": "گواهی ثبت ازدواج",
    "divorce": "گواهی ثبت طلاق",
    "extract": "خلاصه پرونده ثبت احوال",
}

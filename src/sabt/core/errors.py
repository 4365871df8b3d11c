"""One error hierarchy with stable machine codes and messages in English and Persian.

The API maps these to RFC 9457 problem+json, the CLI to a message and a non-zero exit code. Every
message lives in MESSAGES so that the two languages stay side by side and codes stay stable.
"""

from typing import ClassVar

from .text import to_persian_digits

MESSAGES: dict[str, tuple[str, str]] = {
    # input values
    "national_code.length": ("A national code has exactly 10 digits.", "کد ملی باید دقیقاً ۱۰ رقم باشد."),
    "national_code.not_digits": ("A national code contains only digits.", "کد ملی فقط از رقم تشکیل می‌شود."),
    "national_code.repeated_digit": (
        "A national code cannot be ten identical digits.",
        "کد ملی نمی‌تواند ده رقم یکسان باشد.",
    ),
    "national_code.check_digit": (
        "The check digit of this national code is wrong.",
        "رقم کنترل این کد ملی نادرست است.",
    ),
    "national_code.prefix": ("A place prefix has exactly 3 digits.", "پیشوند محل باید ۳ رقم باشد."),
    "date.format": (
        "Write the date as YYYY/MM/DD, Jalali or Gregorian.",
        "تاریخ را به صورت سال/ماه/روز (شمسی یا میلادی) بنویسید.",
    ),
    "date.no_such_day": ("There is no such day in the calendar.", "چنین روزی در تقویم وجود ندارد."),
    "date.out_of_range": (
        "The date is not between 1800 and 2199 (1178 and 1578 in the Jalali calendar).",
        "تاریخ میان ۱۱۷۸ و ۱۵۷۸ خورشیدی (۱۸۰۰ تا ۲۱۹۹ میلادی) نیست.",
    ),
    "date.in_future": ("The date is in the future.", "تاریخ در آینده است."),
    "date.too_old": ("The date is earlier than {limit}.", "تاریخ پیش از {limit} است."),
    "date.before_birth": (
        "The date is before the person's birth on {birth_date}.",
        "تاریخ پیش از تولد این شخص ({birth_date}) است.",
    ),
    "date.before_marriage": (
        "The divorce date is before the marriage on {married_on}.",
        "تاریخ طلاق پیش از تاریخ ازدواج ({married_on}) است.",
    ),
    "name.empty": ("The name is empty.", "نام خالی است."),
    "name.too_long": ("The name is longer than 60 letters.", "نام بیش از ۶۰ حرف است."),
    "name.bad_characters": (
        "A name is written in Persian letters, its parts separated by a space or a ZWNJ.",
        "نام فقط با حروف فارسی نوشته می‌شود و اجزای آن با فاصله یا نیم‌فاصله جدا می‌شوند.",
    ),
    "text.bad_character": (
        "The text holds a character no text may hold ({character}: a control or direction-override character).",
        "این متن نویسه‌ای پنهان و غیرمجاز دارد (نویسه کنترلی یا تغییر جهت)؛ آن را دوباره تایپ کنید.",
    ),
    "webhook.url": (
        "This is not an address a request can be sent to (a host, and a port from 1 to 65535).",
        "این نشانی‌ای نیست که بتوان به آن درخواست فرستاد (میزبان و درگاهی از ۱ تا ۶۵۵۳۵).",
    ),
    "text.line_break": ("This field is one line: no line breaks or tabs.", "این فیلد یک‌خطی است: بدون شکست خط یا تب."),
    "request.malformed": (
        "The request body could not be read: it is not valid UTF-8, or it is nested too deeply.",
        "بدنه درخواست خوانا نیست: با UTF-8 نوشته نشده یا بیش از اندازه تودرتو است.",
    ),
    "time.format": ("Write the time as HH:MM.", "ساعت را به صورت ساعت:دقیقه بنویسید."),
    "request.invalid": ("{detail}", "مقدار این فیلد معتبر نیست ({detail})."),
    "request.missing": ("This field is required.", "این فیلد الزامی است."),
    "request.extra": ("This field is not expected here.", "این فیلد در اینجا پیش‌بینی نشده است."),
    "server.error": ("Something went wrong on the server; nothing was saved.", "خطایی در سرور رخ داد؛ چیزی ذخیره نشد."),
    "server.database_unavailable": (
        "The registry's database connection was lost; nothing was saved. Try again in a moment.",
        "اتصال به پایگاه داده ثبت قطع شد؛ چیزی ذخیره نشد. لحظه‌ای بعد دوباره تلاش کنید.",
    ),
    "keys.unavailable": (
        "The registry's signing keys cannot be reached just now; nothing was saved. Try again in a moment.",
        "کلیدهای امضای ثبت اکنون در دسترس نیستند؛ چیزی ذخیره نشد. لحظه‌ای بعد دوباره تلاش کنید.",
    ),
    "request.not_json": ("The request body is not valid JSON.", "بدنه درخواست JSON معتبر نیست."),
    "request.media_type": ("Send the body as application/json.", "بدنه درخواست باید application/json باشد."),
    "request.too_large": (
        "The request body is larger than {limit} bytes.",
        "حجم بدنه درخواست بیش از {limit} بایت است.",
    ),
    "idempotency_key.format": (
        "An Idempotency-Key is 1 to 100 visible ASCII characters.",
        "کلید یکتایی باید ۱ تا ۱۰۰ نویسه ASCII دیدنی باشد.",
    ),
    "idempotency_key.reused": (
        "This Idempotency-Key was already used for a different request.",
        "این کلید یکتایی قبلاً برای درخواست دیگری به کار رفته است.",
    ),
    # reference data
    "county.unknown": ("There is no county with code {code}.", "شهرستانی با کد {code} وجود ندارد."),
    "province.unknown": ("There is no province with code {code}.", "استانی با کد {code} وجود ندارد."),
    "office.unknown": ("There is no office with code {code}.", "اداره‌ای با کد {code} وجود ندارد."),
    "office.exists": ("An office with code {code} already exists.", "اداره‌ای با کد {code} از قبل وجود دارد."),
    "office.no_prefix": (
        "The office's county has no national-code prefix; give the office one.",
        "شهرستان این اداره پیشوند کد ملی ندارد؛ برای اداره پیشوند تعیین کنید.",
    ),
    "office.required": (
        "Name the office where the event is declared.",
        "اداره‌ای را که واقعه در آن اعلام می‌شود مشخص کنید.",
    ),
    # people and events
    "person.merged": (
        "{code} was found to be a duplicate and merged into {into}; use that record.",
        "کد ملی {code} تکراری شناخته و در {into} ادغام شده است؛ از آن رکورد استفاده کنید.",
    ),
    "person.unknown": (
        "No person with national code {code} is in the registry.",
        "شخصی با کد ملی {code} در ثبت وجود ندارد.",
    ),
    "person.deceased": (
        "The person with national code {code} is recorded as deceased.",
        "شخص با کد ملی {code} فوت‌شده ثبت شده است.",
    ),
    "person.sex": ("The person with national code {code} must be {sex}.", "شخص با کد ملی {code} باید {sex_fa} باشد."),
    "person.born_after_child": (
        "The parent with national code {code} was born after the child.",
        "والد با کد ملی {code} پس از فرزند متولد شده است.",
    ),
    "person.declarant": (
        "Name the declarant (first and last name) when they are not a parent.",
        "نام و نام خانوادگی اعلام‌کننده را وقتی پدر یا مادر نیست وارد کنید.",
    ),
    "date.before_event": (
        "This date is before the event itself.",
        "این تاریخ پیش از خود واقعه است.",
    ),
    "person.same": ("Both sides name the same person.", "هر دو طرف یک شخص هستند."),
    "person.no_correction": ("The correction changes nothing.", "اصلاحیه تغییری ایجاد نمی‌کند."),
    "marriage.under_age": (
        "The person with national code {code} is under the minimum age of {age} on the marriage date.",
        "شخص با کد ملی {code} در تاریخ ازدواج کمتر از {age} سال دارد.",
    ),
    "marriage.wife_married": (
        "The woman with national code {code} is already married.",
        "بانو با کد ملی {code} در حال حاضر همسر دارد.",
    ),
    "marriage.needs_court_permission": (
        "The man with national code {code} is already married; a further marriage needs a court permission.",
        "آقا با کد ملی {code} همسر دارد؛ ازدواج مجدد نیازمند اجازه دادگاه است.",
    ),
    "marriage.limit": (
        "The man with national code {code} already has the maximum number of wives.",
        "آقا با کد ملی {code} به حداکثر تعداد همسر رسیده است.",
    ),
    "marriage.exists": (
        "These two persons are already married to each other.",
        "این دو نفر در حال حاضر با یکدیگر ازدواج کرده‌اند.",
    ),
    "marriage.none": (
        "These two persons are not married to each other.",
        "این دو نفر با یکدیگر ازدواج ثبت‌شده‌ای ندارند.",
    ),
    "event.unknown": ("There is no event {id}.", "واقعه‌ای با شناسه {id} وجود ندارد."),
    "event.pending": (
        "An earlier declaration of this {kind} (event {id}) is still in progress.",
        "اعلام قبلی همین واقعه (شناسه {id}) هنوز در جریان است.",
    ),
    "event.transition": (
        "An event that is {status} cannot be {action_past}.",
        "واقعه‌ای در وضعیت «{status_fa}» قابل «{action_fa}» نیست.",
    ),
    "event.late_unapproved": (
        "This declaration is late and needs the office head's approval first.",
        "این اعلام خارج از مهلت قانونی است و ابتدا به تأیید رئیس اداره نیاز دارد.",
    ),
    "event.not_late": (
        "This declaration is on time; it needs no approval.",
        "این اعلام در مهلت است و به تأیید نیاز ندارد.",
    ),
    "event.kind": ("Event {id} is a {kind}, not a {expected}.", "واقعه {id} از نوع دیگری است."),
    "evidence.kind": (
        "A {event} cannot be registered on a {kind}.",
        "واقعه از این نوع با این مدرک قابل ثبت نیست.",
    ),
    "evidence.incomplete": (
        "This evidence needs its issuer and document number.",
        "این مدرک باید صادرکننده و شماره سند داشته باشد.",
    ),
    "evidence.witnesses": (
        "Testimony needs two different witnesses.",
        "گواهی شهود به دو شاهد متفاوت نیاز دارد.",
    ),
    "national_code.exhausted": (
        "Every national code under prefix {prefix} has been issued.",
        "همه کدهای ملی با پیشوند {prefix} صادر شده‌اند.",
    ),
    # the ledger
    "ledger.no_leaf": (
        "There is no leaf {index} in a tree of size {size}.",
        "برگ {index} در درختی به اندازه {size} وجود ندارد.",
    ),
    "audit.no_key": (
        "The key store holds no ledger key: pass the published verifier key with --key.",
        "کلید دفتر در انبار کلیدها نیست: کلید وارسی منتشرشده را با ‎--key‎ بدهید.",
    ),
    "audit.bad_key": (
        "This is not a ledger verifier key (name+keyid+base64 key).",
        "این کلید وارسی دفتر نیست (نام+شناسه کلید+کلید base64).",
    ),
    "witness.config": (
        "SABT_WITNESSES holds an entry that is not a witness's verifier key, '=', and its http(s) address: {entry}",
        "در SABT_WITNESSES موردی هست که کلید وارسی گواه، «=» و نشانی http(s) آن نیست: {entry}",
    ),
    "ledger.integrity": (
        "The ledger was changed outside the registry; nothing was saved, and nothing will be until an auditor has "
        "looked (`sabt audit verify`).",
        "دفتر ثبت بیرون از سامانه تغییر کرده است؛ چیزی ذخیره نشد و تا بازرس آن را بررسی نکند (sabt audit verify) "
        "چیزی ذخیره نمی‌شود.",
    ),
    "witness.quorum": (
        "SABT_WITNESS_QUORUM asks for {quorum} witnesses, but SABT_WITNESSES names {witnesses}.",
        "SABT_WITNESS_QUORUM {quorum} گواه می‌خواهد، اما SABT_WITNESSES تنها {witnesses} گواه نام برده است.",
    ),
    "ledger.no_record": ("The ledger holds no change to {record}.", "دفتر ثبت تغییری برای {record} ندارد."),
    "ledger.sizes": (
        "A consistency proof needs 0 < old size ({old}) ≤ new size ({new}) ≤ the log's size ({size}).",
        "اثبات سازگاری به شرط ۰ < اندازه قدیم ({old}) ≤ اندازه جدید ({new}) ≤ اندازه دفتر ({size}) نیاز دارد.",
    ),
    "import.no_file": ("There is no file at {path}.", "فایلی در {path} وجود ندارد."),
    "import.unreadable": (
        "The file cannot be read from row {row} on: it is not UTF-8 CSV, or a field is too long.",
        "پرونده از ردیف {row} به بعد خوانا نیست: CSV با UTF-8 نیست یا فیلدی بیش از اندازه بلند است.",
    ),
    "import.columns": (
        "The file has no column {column}: it is not a person file of the import format.",
        "پرونده ستون {column} را ندارد: پرونده اشخاص با قالب ورود اطلاعات نیست.",
    ),
    "import.sex": ("Sex must be male or female.", "جنسیت باید مرد یا زن باشد."),
    "import.code_taken": (
        "National code {code} already belongs to someone in the registry or earlier in this file.",
        "کد ملی {code} پیش‌تر در ثبت یا در ردیف‌های قبلی همین فایل آمده است.",
    ),
    "synth.out": ("The output path exists and is not a folder.", "مسیر خروجی وجود دارد و پوشه نیست."),
    # certificates
    "serial.format": (
        "A certificate serial is a letter, 9 digits and a check character.",
        "شماره سریال گواهی یک حرف، ۹ رقم و یک نویسه کنترل است.",
    ),
    "serial.check": ("The check character of this serial is wrong.", "نویسه کنترل این شماره سریال نادرست است."),
    "certificate.unknown": ("There is no certificate with serial {serial}.", "گواهی با سریال {serial} وجود ندارد."),
    "certificate.subject": (
        "A {kind} certificate needs {needs}.",
        "برای این نوع گواهی {needs_fa} لازم است.",
    ),
    "certificate.alive": (
        "The person with national code {code} is not recorded as deceased.",
        "شخص با کد ملی {code} فوت‌شده ثبت نشده است.",
    ),
    "certificate.event": (
        "Event {id} is not a registered {kind}.",
        "واقعه {id} یک واقعه ثبت‌شده از این نوع نیست.",
    ),
    "certificate.exists": (
        "Certificate {serial} is already current for this record; print it again, or revoke it first.",
        "گواهی {serial} برای این پرونده معتبر است؛ آن را دوباره چاپ کنید یا ابتدا باطل کنید.",
    ),
    "certificate.tampered": (
        "Certificate {serial} was changed outside Sabt: its stored facts are not those its signed code carries. "
        "Nothing was printed; report it to the auditor.",
        "اطلاعات گواهی {serial} بیرون از سامانه تغییر کرده و با کد امضاشده آن یکی نیست. چیزی چاپ نشد؛ "
        "موضوع را به بازرس گزارش دهید.",
    ),
    "certificate.not_current": (
        "Certificate {serial} is {status}; only a current certificate can be used.",
        "گواهی {serial} دیگر معتبر نیست و قابل استفاده نیست.",
    ),
    "certificate.no_key": (
        "No certificate signing key is held here; run `sabt certificates keys rotate`.",
        "کلید امضای گواهی در این سرور وجود ندارد.",
    ),
    "keys.file": ("The key set cannot be read: {detail}.", "مجموعه کلیدها قابل خواندن نیست ({detail})."),
    "qr.empty": (
        "Give the certificate's code, or a photo, scan or PDF of it.",
        "کد گواهی یا تصویر یا فایل PDF آن را وارد کنید.",
    ),
    "qr.too_long": ("The code is longer than any Sabt certificate code.", "این کد از هر کد گواهی ثبت بلندتر است."),
    "qr.prefix": (
        "The code does not start with {prefix}: it is not a Sabt certificate code.",
        "کد با {prefix} آغاز نمی‌شود؛ کد گواهی ثبت احوال نیست.",
    ),
    "qr.base45": (
        "The code is not valid Base45; it may be cut short or mistyped.",
        "کد در قالب درست نیست؛ شاید ناقص یا اشتباه وارد شده باشد.",
    ),
    "qr.compressed": ("The code's compressed data is damaged.", "داده فشرده کد آسیب دیده است."),
    "qr.structure": ("The code is not a signed certificate (COSE_Sign1 CWT).", "کد یک گواهی امضاشده نیست."),
    "upload.format": ("The file is not a PNG, JPEG or PDF.", "فایل از نوع PNG، JPEG یا PDF نیست."),
    "upload.unreadable": ("The file cannot be read as {kind}.", "فایل قابل خواندن نیست."),
    "upload.no_qr": ("No QR code was found in the file.", "هیچ کد QR در فایل یافت نشد."),
    "verify.genuine": (
        "Genuine: issued by the registry and current.",
        "این گواهی اصیل است و از سوی سازمان صادر شده و معتبر است.",
    ),
    "verify.superseded": (
        "Genuine but superseded: the record was corrected and certificate {new_serial} replaces it.",
        "این گواهی اصیل است اما پس از اصلاح پرونده، گواهی {new_serial} جایگزین آن شده است.",
    ),
    "verify.revoked": ("Genuine but revoked: {reason}.", "این گواهی اصیل است اما باطل شده است: {reason}."),
    "verify.unknown_key": (
        "The code was signed with a key that is not in the key set.",
        "کد با کلیدی امضا شده که در مجموعه کلیدهای سازمان نیست.",
    ),
    "verify.bad_signature": (
        "The signature does not match the data: the code was altered or forged.",
        "امضا با داده‌ها مطابقت ندارد؛ کد دستکاری یا جعل شده است.",
    ),
    "verify.key_expired": (
        "The code claims to be issued when its signing key was not in use.",
        "تاریخ صدور کد خارج از دوره اعتبار کلید امضای آن است.",
    ),
    "verify.issued_in_future": ("The code claims to be issued in the future.", "تاریخ صدور کد در آینده است."),
    "verify.issuer": ("The code names another issuer ({issuer}).", "صادرکننده کد سازمان دیگری است ({issuer})."),
    "verify.unknown_serial": (
        "The signature is genuine but the registry has no certificate {serial}.",
        "امضا معتبر است اما گواهی با سریال {serial} در ثبت وجود ندارد.",
    ),
    "verify.data_mismatch": (
        "The signature is genuine but the data differs from what the registry issued as {serial}.",
        "امضا معتبر است اما داده‌ها با گواهی صادرشده با سریال {serial} مطابقت ندارد.",
    ),
    # partner agencies and citizens
    "partner.key": ("The API key is missing, unknown or revoked.", "کلید دسترسی وجود ندارد، ناشناخته یا باطل است."),
    "partner.exists": ("A partner with code {code} already exists.", "دستگاهی با کد {code} از قبل وجود دارد."),
    "partner.unknown": ("There is no partner with code {code}.", "دستگاهی با کد {code} وجود ندارد."),
    "partner.key_unknown": ("There is no API key {prefix}.", "کلید دسترسی {prefix} وجود ندارد."),
    "partner.policy": (
        "This partner's policy does not allow {check}.",
        "سیاست دسترسی این دستگاه اجازه این استعلام را نمی‌دهد.",
    ),
    "partner.attribute": (
        "Attribute {attribute} is not one the registry releases.",
        "مشخصه {attribute} از مشخصات قابل ارائه نیست.",
    ),
    "rate.limited": (
        "Too many requests; try again in {seconds} seconds.",
        "تعداد درخواست‌ها بیش از حد مجاز است؛ {seconds} ثانیه دیگر دوباره تلاش کنید.",
    ),
    "identity.nothing": (
        "Give at least one of first name, surname, birth date or father's name to compare.",
        "دست‌کم یکی از نام، نام خانوادگی، تاریخ تولد یا نام پدر را برای مقایسه وارد کنید.",
    ),
    "citizen.code": ("A citizen's account needs their national code.", "حساب شهروند به کد ملی او نیاز دارد."),
    "citizen.exists": (
        "The person with national code {code} already has an account.",
        "شخص با کد ملی {code} از قبل حساب کاربری دارد.",
    ),
    "citizen.only": ("Only a citizen's own account can do this.", "این کار فقط با حساب خود شهروند ممکن است."),
    "voters.out": ("The roll cannot be written to {path}.", "فهرست در {path} قابل نوشتن نیست."),
    # smart national cards
    "card.unknown": ("There is no card {card}.", "کارتی با شناسه {card} وجود ندارد."),
    "card.serial_format": (
        "A card serial is N, 9 digits and a check character.",
        "شماره سریال کارت حرف N، ۹ رقم و یک نویسه کنترل است.",
    ),
    "card.serial_check": ("The check character of this card serial is wrong.", "نویسه کنترل سریال کارت نادرست است."),
    "card.transition": (
        "A card that is {status} cannot take the step {step}.",
        "این کارت در وضعیت «{status_fa}» است و این کار روی آن ممکن نیست.",
    ),
    "card.too_young": (
        "A card can be applied for from age 15, on {from_date}.",
        "درخواست کارت از ۱۵ سالگی، از تاریخ {from_date}، ممکن است.",
    ),
    "card.pending": (
        "The person already has card application {card} in progress.",
        "این شخص درخواست کارت در جریان (شناسه {card}) دارد.",
    ),
    "card.active_exists": (
        "The person holds active card {serial}; apply for a replacement of it instead.",
        "این شخص کارت فعال {serial} دارد؛ به جای آن درخواست کارت المثنی یا تعویض دهید.",
    ),
    "card.replaces": (
        "Card {serial} is not the person's active card.",
        "کارت {serial} کارت فعال این شخص نیست.",
    ),
    "card.template": (
        "The fingerprint template hash is 64 hexadecimal characters (SHA-256).",
        "چکیده الگوی اثر انگشت باید ۶۴ نویسه هگزادسیمال (SHA-256) باشد.",
    ),
    "card.batch_empty": ("There are no enrolled applications to send.", "درخواست ثبت‌نام‌شده‌ای برای ارسال نیست."),
    "card.batch_unknown": ("There is no card batch {batch}.", "دسته تولید کارت {batch} وجود ندارد."),
    "card.batch_state": ("Batch {batch} is already produced.", "دسته {batch} پیش از این تولید شده است."),
    "card.manifest": (
        "The production manifest must list every card of batch {batch} once: {detail}.",
        "فهرست تولید باید هر کارت دسته {batch} را یک بار داشته باشد ({detail}).",
    ),
    "card.chip_format": (
        "A chip identifier is 8, 14 or 20 hexadecimal characters (a 4, 7 or 10-byte UID).",
        "شناسه تراشه باید ۸، ۱۴ یا ۲۰ نویسه هگزادسیمال باشد.",
    ),
    "card.chip_taken": ("Chip {chip_id} is already on another card.", "تراشه {chip_id} روی کارت دیگری ثبت است."),
    "card.none_active": ("You hold no active card to report.", "شما کارت فعالی برای اعلام ندارید."),
    "card.crl_after": (
        "`after` is a revocation number, from 0 to 2147483647.",
        "مقدار after باید شماره‌ای از ۰ تا ۲۱۴۷۴۸۳۶۴۷ باشد.",
    ),
    # statistics
    "stats.indicator": ("There is no indicator {name}; the indicators are: {known}.", "شاخص {name} وجود ندارد."),
    "stats.place": (
        "{name} is published by {places}, not by {place}.",
        "این شاخص در سطح خواسته‌شده منتشر نمی‌شود.",
    ),
    "stats.by": (
        "`by` names a place (country, province or county) and a period (month, season, year or range).",
        "مقدار by باید سطح مکان (کشور، استان یا شهرستان) و دوره (ماه، فصل، سال یا کل دوره) باشد.",
    ),
    "stats.range": ("The end of the period is before its start.", "پایان دوره پیش از آغاز آن است."),
    "stats.too_long": ("A table covers at most 20 years.", "هر جدول حداکثر ۲۰ سال را در بر می‌گیرد."),
    "stats.format": ("The format is table, csv, json or parquet.", "قالب خروجی باید table، csv، json یا parquet باشد."),
    # people who act
    "auth.required": ("Sign in first.", "ابتدا وارد شوید."),
    "auth.invalid": ("The username or password is wrong.", "نام کاربری یا گذرواژه نادرست است."),
    "auth.token": ("The access token is unknown or expired.", "توکن دسترسی نامعتبر یا منقضی است."),
    "auth.second_factor": (
        "Give the second factor (an authenticator app's code or a passkey) before anything else.",
        "پیش از هر کار، عامل دوم ورود (رمز یک‌بار مصرف برنامه احراز هویت یا کلید عبور) را وارد کنید.",
    ),
    "auth.step_up": (
        "This step ({action}) needs the second factor again: give a fresh code or use your passkey.",
        "این کار («{action_fa}») دوباره عامل دوم ورود را می‌خواهد: رمز یک‌بار مصرف تازه یا کلید عبور.",
    ),
    "auth.locked": (
        "Too many failed sign-ins for this account: try again in {seconds} seconds, or ask the national "
        "administrator to unlock it.",
        "ورودهای ناموفق این حساب بیش از حد بوده است: {seconds} ثانیه دیگر دوباره تلاش کنید یا از مدیر ملی "
        "بخواهید قفل آن را باز کند.",
    ),
    "auth.throttled": (
        "Too many failed sign-ins from this address: try again in {seconds} seconds.",
        "ورودهای ناموفق از این نشانی بیش از حد بوده است: {seconds} ثانیه دیگر دوباره تلاش کنید.",
    ),
    "auth.not_locked": ("The account {username} is not locked.", "حساب {username} قفل نیست."),
    "factor.invalid": (
        "The code is wrong, expired or already used: give the code your authenticator app shows now.",
        "رمز نادرست، منقضی یا تکراری است: رمزی را که اکنون برنامه احراز هویت نشان می‌دهد وارد کنید.",
    ),
    "factor.recovery": (
        "This recovery code is wrong or was used already: each works once.",
        "این کد بازیابی نادرست است یا پیش‌تر به کار رفته است: هر کد فقط یک بار کار می‌کند.",
    ),
    "factor.passkey": (
        "The passkey's answer was refused ({detail}).",
        "پاسخ کلید عبور پذیرفته نشد؛ دوباره تلاش کنید.",
    ),
    "factor.passkey_known": ("This passkey is registered already.", "این کلید عبور پیش‌تر ثبت شده است."),
    "factor.no_passkey": ("This account has no passkey.", "این حساب کلید عبوری ندارد."),
    "factor.nothing_to_confirm": (
        "No authenticator app is waiting to be confirmed: start again.",
        "برنامه احراز هویتی در انتظار تأیید نیست: از ابتدا شروع کنید.",
    ),
    "access.one_question": (
        "Ask one thing: --person, --user or --unusual.",
        "فقط یکی را بپرسید: گزینه person، user یا unusual.",
    ),
    "access.too_long": (
        "The report covers at most {days} days.",
        "گزارش حداکثر {days} روز را در بر می‌گیرد.",
    ),
    "session.unknown": ("This user has no session {id}.", "این کاربر نشستی با شناسه {id} ندارد."),
    "role.forbidden": (
        "A {role} may not {action}.",
        "نقش «{role_fa}» اجازه «{action_fa}» ندارد.",
    ),
    "office.forbidden": (
        "This record belongs to another office.",
        "این پرونده متعلق به اداره دیگری است.",
    ),
    "user.exists": ("A user named {username} already exists.", "کاربری با نام {username} از قبل وجود دارد."),
    "user.unknown": ("There is no user named {username}.", "کاربری با نام {username} وجود ندارد."),
    "user.office": (
        "A {role} must belong to an office.",
        "کاربر با نقش «{role_fa}» باید به یک اداره تعلق داشته باشد.",
    ),
    "user.password": (
        "A password needs at least 10 characters.",
        "گذرواژه باید دست‌کم ۱۰ نویسه باشد.",
    ),
    "csrf.invalid": (
        "The form has expired or did not come from this site; open it again.",
        "این فرم منقضی شده یا از این سامانه نیامده است؛ دوباره آن را باز کنید.",
    ),
    "not_found": ("There is nothing at this address.", "چیزی در این نشانی وجود ندارد."),
    # record linkage
    "linkage.bad_truth": (
        "The truth file needs the columns row and person.",
        "فایل واقعیت باید ستون‌های row و person را داشته باشد.",
    ),
    "linkage.truth_mismatch": (
        "The truth file labels {labelled} rows but the legacy file has {rows}.",
        "فایل واقعیت {labelled} ردیف را برچسب زده اما فایل قدیمی {rows} ردیف دارد.",
    ),
    "linkage.too_few_pairs": (
        "A model needs at least {needed} pairs known to be one person; the file has {pairs}.",
        "برای آموختن مدل دست‌کم {needed} جفت رکورد از یک شخص لازم است؛ این فایل {pairs} جفت دارد.",
    ),
    "linkage.no_case": ("There is no review case {case}.", "پرونده بررسی {case} وجود ندارد."),
    "linkage.decided": (
        "Case {case} was already decided ({status}).",
        "درباره پرونده {case} پیش‌تر تصمیم گرفته شده است ({status}).",
    ),
    "linkage.keep": (
        "The record to keep must be one of the case's two persons.",
        "رکورد ماندگار باید یکی از دو شخص این پرونده باشد.",
    ),
    "linkage.not_a_pair": (
        "Only a case about two persons can be decided as a duplicate.",
        "فقط پرونده‌ای که دو شخص دارد می‌تواند تکراری شناخته شود.",
    ),
    "linkage.merged": (
        "Person {code} was merged into another record.",
        "شخص با کد ملی {code} در رکورد دیگری ادغام شده است.",
    ),
    "linkage.running": ("Run {run} is still running.", "اجرای {run} هنوز در جریان است."),
    "linkage.not_birth": (
        "Only a birth declaration creates a person to check for duplicates.",
        "فقط اعلام ولادت شخص تازه‌ای می‌سازد که باید از نظر تکرار بررسی شود.",
    ),
    "method": ("This address does not accept that method.", "این نشانی این روش را نمی‌پذیرد."),
}

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
    "declare": "اعلام واقعه",
    "resubmit": "ارسال مجدد",
    "validate": "بررسی",
    "register": "ثبت",
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


class SabtError(Exception):
    """A refusal that the caller can act on. `code` is stable; `field` names the input at fault."""

    status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1

    def __init__(self, code: str, /, field: str | None = None, **params: object) -> None:
        self.code = code
        self.field = field
        self.params = params
        self.message_en, self.message_fa = describe(code, **params)
        super().__init__(f"{code}: {self.message_en}")


def describe(message_code: str, /, **params: object) -> tuple[str, str]:
    """The English and Persian message for a stable code, with its parameters filled in."""
    template_en, template_fa = MESSAGES[message_code]
    return template_en.format(**_english(params)), to_persian_digits(template_fa.format(**_persian(params)))


def _english(params: dict[str, object]) -> dict[str, str]:
    return {key: str(value).replace("_", " ") for key, value in params.items()} | {
        "action_past": _past(str(params.get("action", ""))),
    }


def _persian(params: dict[str, object]) -> dict[str, str]:
    values = {key: str(value) for key, value in params.items()}
    values["role_fa"] = ROLE_FA.get(values.get("role", ""), "")
    values["action_fa"] = ACTION_FA.get(values.get("action", ""), "")
    values["status_fa"] = STATUS_FA.get(values.get("status", ""), "")
    values["sex_fa"] = SEX_FA.get(values.get("sex", ""), "")
    values["needs_fa"] = NEEDS_FA.get(values.get("needs", ""), "")
    return values


_PAST_PARTICIPLE = {
    "validate": "validated",
    "register": "registered",
    "reject": "rejected",
    "resubmit": "re-submitted",
    "approve_late": "approved as late",
}


def _past(action: str) -> str:
    return _PAST_PARTICIPLE.get(action, action)


class InvalidInput(SabtError):
    status = 422


class NotFound(SabtError):
    status = 404
    exit_code = 3


class Conflict(SabtError):
    status = 409
    exit_code = 4


class Unauthorized(SabtError):
    status = 401
    exit_code = 5


class Forbidden(SabtError):
    status = 403
    exit_code = 5


class TooManyRequests(SabtError):
    status = 429


class BadRequest(SabtError):
    status = 400


class MethodNotAllowed(SabtError):
    status = 405


class PayloadTooLarge(SabtError):
    status = 413


class UnsupportedMediaType(SabtError):
    status = 415


class Unavailable(SabtError):
    """A part the registry depends on (the database, the key store) cannot serve just now; nothing was saved
    and the same request may be sent again after `seconds`."""

    status = 503
    exit_code = 75  # EX_TEMPFAIL

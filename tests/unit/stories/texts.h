// Test texts for the stories room, written for these tests (not taken from any outlet):
// one event told by several outlets, and a different event at the same place.
#pragma once

namespace khobor::stories::test {

// The first full report.
inline constexpr const char* k_report_title = "ঢাকায় দুই দিনের আন্তর্জাতিক জলবায়ু সম্মেলন শুরু";
inline constexpr const char* k_report_body =
    "রাজধানীর বঙ্গবন্ধু আন্তর্জাতিক সম্মেলন কেন্দ্রে সোমবার ৪০টি দেশের প্রতিনিধিদের অংশগ্রহণে "
    "জলবায়ু অভিযোজন বিষয়ক সম্মেলন শুরু হয়েছে। উদ্বোধনী অধিবেশনে পরিবেশমন্ত্রী সাবের হোসেন "
    "চৌধুরী বলেন, উপকূলীয় জেলাগুলোতে লবণাক্ততা বাড়ছে এবং প্রতিবছর প্রায় ৭ লাখ মানুষ "
    "বাস্তুচ্যুত হচ্ছেন।\nসম্মেলনে অভিযোজন তহবিলের জন্য ৫০ কোটি ডলারের নতুন প্রতিশ্রুতি আসতে "
    "পারে বলে আয়োজকেরা আশা করছেন। সম্মেলন চলবে মঙ্গলবার পর্যন্ত।";

// Another outlet's copy under its own headline, with a byline, ASCII digits and
// য় written as য + nukta (U+09AF U+09BC) with a stray ZWJ.
inline constexpr const char* k_copy_title = "জলবায়ু অভিযোজন সম্মেলনে 40 দেশের প্রতিনিধি";
inline constexpr const char* k_copy_body =
    "নিজস্ব প্রতিবেদক: রাজধানীর বঙ্গবন্ধু আন্তর্জাতিক সম্মেলন কেন্দ্রে সোমবার 40টি দেশের "
    "প্রতিনিধিদের অংশগ্রহণে জলবা\u09AF\u09BCু অভিযোজন বিষ\u09AF\u09BCক সম্মেলন শুরু হ\u09AF\u09BCেছে। "
    "উদ্বোধনী অধিবেশনে পরিবেশমন্ত্রী সাবের হোসেন চৌধুরী বলেন, উপকূলী\u200D\u09AF\u09BC জেলাগুলোতে "
    "লবণাক্ততা বাড়ছে এবং প্রতিবছর প্রা\u09AF\u09BC 7 লাখ মানুষ বাস্তুচ্যুত হচ্ছেন। সম্মেলনে "
    "অভিযোজন তহবিলের জন্য 50 কোটি ডলারের নতুন প্রতিশ্রুতি আসতে পারে বলে আয়োজকেরা আশা করছেন।";

// An RSS item: a headline and one sentence, published before the others.
inline constexpr const char* k_flash_title = "ঢাকায় জলবায়ু সম্মেলন, ৪০ দেশের প্রতিনিধি";
inline constexpr const char* k_flash_summary =
    "বঙ্গবন্ধু আন্তর্জাতিক সম্মেলন কেন্দ্রে জলবায়ু অভিযোজন বিষয়ক দুই দিনের সম্মেলন শুরু "
    "হয়েছে, অংশ নিচ্ছেন ৪০টি দেশের প্রতিনিধি।";

// A different event at the same place, in the same template.
inline constexpr const char* k_other_title = "ঢাকায় এক মাসের আন্তর্জাতিক বাণিজ্য মেলা শুরু";
inline constexpr const char* k_other_body =
    "রাজধানীর পূর্বাচলে বাংলাদেশ-চায়না ফ্রেন্ডশিপ এক্সিবিশন সেন্টারে বুধবার মাসব্যাপী ঢাকা "
    "আন্তর্জাতিক বাণিজ্য মেলা শুরু হয়েছে। প্রধান অতিথি বাণিজ্যমন্ত্রী মেলার উদ্বোধন করেন। এবার "
    "১১টি দেশের ৩৬১টি প্রতিষ্ঠান অংশ নিচ্ছে। মেলা চলবে সকাল ১০টা থেকে রাত ৯টা পর্যন্ত, প্রবেশ "
    "টিকিটের দাম ৪০ টাকা।";

}  // namespace khobor::stories::test

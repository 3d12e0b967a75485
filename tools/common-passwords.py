#!/usr/bin/env python3
"""Writes IntegrationsPortal/Features/Accounts/common-passwords.txt (docs/decisions/014).

NIST SP 800-63B asks verifiers to refuse passwords found in lists of commonly used or
compromised values. No breach corpus is shipped or downloaded here: the list is built from the
base words and patterns that every published top-passwords list is made of (names, teams,
"password", keyboard walks, digit runs) with the suffixes people add to pass a length rule.
Only entries of 8 or more characters are kept (shorter ones fail the length rule anyway).
Lower case: the portal compares case-insensitively, so Qwerty123456 is refused too.
"""
import itertools, pathlib

WORDS = """password passw0rd p@ssword p@ssw0rd pass pa55word qwerty qwertz azerty qwertyuiop asdfgh
asdfghjkl zxcvbnm zxcvbn qazwsx qweasd qweasdzxc 1qaz2wsx 1q2w3e4r 1q2w3e 1q2w3e4r5t q1w2e3r4
abc abcd abcdef abcdefg abcdefgh abc123 letmein welcome monkey dragon football baseball basketball
soccer hockey iloveyou loveyou lovely loveme admin administrator root master superman batman spiderman
sunshine princess shadow michael jennifer jessica ashley daniel jordan hunter ranger buster harley
tigger killer charlie donald thomas robert matthew andrew joshua amanda nicole hannah michelle
pepper cookie flower ginger maggie mustang trustno1 starwars whatever freedom hello helloworld
login access secret summer winter spring autumn pokemon liverpool chelsea arsenal samsung google
internet computer changeme default guest test tester testing welcome1 letmein1 chocolate banana
orange purple yellow silver golden diamond angel matrix cheese family friends forever america canada
london paris berlin london1 monday friday sunday january december company office portal qwerty1
zaq12wsx 1qazxsw2 passpass adminadmin rootroot useruser test1234 abcd1234 qwer1234 asdf1234
zxcv1234 aaaaaa abcabc blink182 naruto ninja jesus jesus1 heaven god lucky love iloveu mylove
babygirl baby sweety butterfly security secure system user temp demo sample service support
""".split()

SUFFIXES = [""] + """1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890 0 00 01 007 11 111 13 21
22 23 69 77 88 99 321 4321 54321 ! !! 1! 12! 123! 1234! @ @1 @123 # #1 $ . 1. 2 3 7 9 10 100 2000 2010 2015
2016 2017 2018 2019 2020 2021 2022 2023 2024 2025 2026 2020! 2021! 2022! 2023! 2024! 2025! 2026! 1990 1991
1992 1993 1994 1995 1996 1997 1998 1999 123abc abc 123123 111111 000 2468 1357 qwerty""".split()

candidates = set()
for word, suffix in itertools.product(WORDS, SUFFIXES):
    candidates.add(word + suffix)
for word in WORDS:
    candidates.add(word + word)

digits = "1234567890"
for n in range(8, 21):
    candidates.add((digits * 3)[:n])                       # 12345678...
    candidates.add(("0987654321" * 3)[:n])                 # 09876543...
    candidates.add(("9876543210" * 3)[:n])
    for d in digits:
        candidates.add(d * n)                              # 11111111...
    for letter in "abcdefghijklmnopqrstuvwxyz":
        candidates.add(letter * n)
    candidates.add(("abcdefghijklmnopqrstuvwxyz" * 2)[:n])
    candidates.add(("qwertyuiop" * 3)[:n])
    candidates.add(("1q2w3e4r5t6y7u8i9o0p")[:n])
    candidates.add(("q1w2e3r4t5y6u7i8o9p0")[:n])
    candidates.add(("1qaz2wsx3edc4rfv5tgb")[:n])
    candidates.add(("zaq12wsxcde34rfv")[:n])
    candidates.add(("qwertyuiopasdfghjklzxcvbnm")[:n])
    candidates.add(("123qwe" * 4)[:n])
    candidates.add(("qwe123" * 4)[:n])
    candidates.add(("abc123" * 4)[:n])
    candidates.add(("123abc" * 4)[:n])
    candidates.add(("1a2b3c4d5e6f7g8h9i0j")[:n])
for extra in """correcthorsebatterystaple correct-horse-battery-staple qwerty123456 password1234 password12345
passwordpassword iloveyou1234 letmein12345 welcome12345 administrator1 changeme1234 qwertyqwerty
1qaz2wsx3edc qazwsxedcrfv qazwsxedc qweasdzxc123 asdfasdfasdf asdfghjkl123 zxcvbnm12345
""".split():
    candidates.add(extra)

entries = sorted(c.lower() for c in candidates if len(c) >= 8)
out = pathlib.Path(__file__).resolve().parent.parent / "IntegrationsPortal/Features/Accounts/common-passwords.txt"
out.write_text("\n".join(entries) + "\n", encoding="utf-8")
print(f"{len(entries)} entries -> {out}")

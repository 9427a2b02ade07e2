#!/usr/bin/env python3
"""Build the text side of the three demo domains (en, vi, digits).

Writes training/work/text/{en,vi,digits}.{train,dev,test}.txt (disjoint sentences) and the LM texts
training/work/lm_text/{en,vi,digits}.txt (train-side sentences only).
Sources: Debian licence texts, copyright files and man pages (en); msgunfmt of the vi message catalogs
plus generated command sentences (vi); random digit strings (digits).
"""
import glob, json, os, random, re, subprocess, sys, unicodedata

ROOT = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get('TRAIN_WORK', os.path.join(ROOT, 'work'))
SHARED = os.environ.get('SHARED_DATA', os.path.join(ROOT, '..', '..', 'shared', 'data'))
N_DEV = int(os.environ.get('N_DEV', 250))
N_TEST = int(os.environ.get('N_TEST', 250))
N_TRAIN = {'en': int(os.environ.get('N_TRAIN_EN', 4500)), 'vi': int(os.environ.get('N_TRAIN_VI', 4500)),
           'digits': int(os.environ.get('N_TRAIN_DIGITS', 4000))}
rng = random.Random(1234)


def nfc(s):
    return unicodedata.normalize('NFC', s)


# ---------------------------------------------------------------- English
def en_raw_texts():
    texts = []
    for p in sorted(glob.glob('/usr/share/common-licenses/*')):
        if os.path.isfile(p):
            texts.append(open(p, encoding='utf-8', errors='ignore').read())
    for p in sorted(glob.glob('/usr/share/doc/*/copyright'))[:600]:
        try:
            texts.append(open(p, encoding='utf-8', errors='ignore').read())
        except OSError:
            pass
    pages = sorted(os.path.basename(p).split('.')[0] for p in glob.glob('/usr/share/man/man1/*'))
    pages = sorted(set(pages))
    rng2 = random.Random(7)
    rng2.shuffle(pages)
    env = dict(os.environ, MANWIDTH='2000', MAN_KEEP_FORMATTING='0', LC_ALL='C.UTF-8')
    for name in pages[:int(os.environ.get('N_MANPAGES', 700))]:
        try:
            out = subprocess.run(['man', '-P', 'cat', '1', name], capture_output=True, text=True, timeout=10, env=env).stdout
        except Exception:
            continue
        out = re.sub(r'.\x08', '', out)
        texts.append(out)
    return texts


EN_WORD = re.compile(r"^[a-z]+('[a-z]+)?$")


def en_sentences():
    seen, out = set(), []
    for t in en_raw_texts():
        t = re.sub(r'-\n\s*', '', t)
        t = re.sub(r'\s+', ' ', t)
        for sent in re.split(r'(?<=[.!?;:])\s+|\(|\)', t):
            s = sent.strip().lower()
            if not s or re.search(r'[0-9@/\\_<>=\[\]{}|#$%^&*~`+]', s):
                continue
            s = s.replace('\u2019', "'")
            s = re.sub(r"[,.;:!?\"]", ' ', s)
            s = re.sub(r"(^|\s)'|'(\s|$)", ' ', s)
            s = s.replace('-', ' ')
            words = s.split()
            if len(words) < 4 or not all(EN_WORD.match(w) for w in words):
                continue
            if sum(len(w) == 1 and w not in ('a', 'i') for w in words) > 0:
                continue
            # chunk long sentences into 4-12 word pieces
            while words:
                n = len(words) if len(words) <= 12 else rng.randint(6, 12)
                chunk, words = words[:n], words[n:]
                if len(words) < 4 and len(words) > 0 and len(chunk) + len(words) <= 15:
                    chunk, words = chunk + words, []
                if len(chunk) >= 4:
                    c = nfc(' '.join(chunk))
                    if c not in seen:
                        seen.add(c)
                        out.append(c)
    return out


# ---------------------------------------------------------------- Vietnamese
VI_LETTERS = set('aăâbcdđeêghiklmnoôơpqrstuưvxy')


def vi_base_ok(word):
    for ch in unicodedata.normalize('NFD', word):
        if unicodedata.category(ch) == 'Mn':
            continue
        if ch not in VI_LETTERS and ch not in 'ăâđêôơư':
            return False
    return True


def vi_has_diacritic(word):
    return any(unicodedata.category(c) == 'Mn' for c in unicodedata.normalize('NFD', word)) or 'đ' in word


def vi_catalog_sentences():
    out, seen = [], set()
    for mo in sorted(glob.glob('/usr/share/locale/vi/LC_MESSAGES/*.mo')):
        if os.path.basename(mo).startswith('iso_'):
            continue
        try:
            po = subprocess.run(['msgunfmt', mo], capture_output=True, text=True, timeout=60).stdout
        except Exception:
            continue
        for m in re.finditer(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', po, re.M):
            s = ''.join(re.findall(r'"(.*)"', m.group(1)))
            s = s.replace('\\n', ' ').replace('\\t', ' ').replace('\\"', ' ')
            s = re.sub(r'%[-+ #0-9.*$lhzjtqL]*[a-zA-Z%]', ' ', s)   # printf format specifiers
            s = re.sub(r'\{[^}]*\}|<[^>]*>|\$\{?\w+\}?|--?[a-zA-Z][\w-]*|\S+@\S+|\S*[/\\_=]\S*', ' ', s)
            for sent in re.split(r'[.!?;:()\[\]"“”«»]', s):
                sent = nfc(sent.lower())
                sent = re.sub(r"[,'`‘’…*+&|~^\-–—]", ' ', sent)
                words = sent.split()
                if not (3 <= len(words) <= 30):
                    continue
                if not all(vi_base_ok(w) for w in words):
                    continue
                if sum(vi_has_diacritic(w) for w in words) < 0.4 * len(words):
                    continue
                while words:
                    n = len(words) if len(words) <= 14 else rng.randint(6, 12)
                    chunk, words = words[:n], words[n:]
                    if 0 < len(words) < 3:
                        chunk, words = chunk + words, []
                    if len(chunk) >= 3:
                        c = ' '.join(chunk)
                        if c not in seen:
                            seen.add(c)
                            out.append(c)
    return out


VI_DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín']


def vi_number(n):
    """Spell 0..999999 in Vietnamese (northern style)."""
    if n < 10:
        return VI_DIGITS[n]
    if n < 100:
        t, u = divmod(n, 10)
        s = 'mười' if t == 1 else VI_DIGITS[t] + ' mươi'
        if u == 0:
            return s
        if u == 1 and t > 1:
            return s + ' mốt'
        if u == 5:
            return s + ' lăm'
        if u == 4 and t > 1:
            return s + ' tư'
        return s + ' ' + VI_DIGITS[u]
    if n < 1000:
        h, r = divmod(n, 100)
        s = VI_DIGITS[h] + ' trăm'
        if r == 0:
            return s
        if r < 10:
            return s + ' lẻ ' + VI_DIGITS[r]
        return s + ' ' + vi_number(r)
    th, r = divmod(n, 1000)
    s = vi_number(th) + ' nghìn'
    if r == 0:
        return s
    if r < 100:
        return s + ' không trăm ' + (('lẻ ' + VI_DIGITS[r]) if r < 10 else vi_number(r))
    return s + ' ' + vi_number(r)


def vi_generated(n):
    rooms = ['phòng khách', 'phòng ngủ', 'phòng bếp', 'nhà tắm', 'ban công', 'phòng làm việc', 'hành lang', 'sân vườn',
             'phòng ăn', 'phòng của con', 'gác xép', 'cầu thang']
    devices = ['đèn', 'quạt', 'điều hòa', 'máy lạnh', 'tivi', 'rèm cửa', 'bình nóng lạnh', 'máy lọc không khí',
               'loa', 'máy giặt', 'nồi cơm điện', 'cửa cuốn', 'camera', 'ổ cắm', 'đèn ngủ', 'máy hút bụi']
    acts = ['bật', 'tắt', 'mở', 'đóng', 'kiểm tra', 'hẹn giờ tắt', 'hẹn giờ bật']
    polite = ['', 'giúp mình', 'giúp tôi', 'giúp em', 'cho anh', 'cho chị', 'hộ mình', 'ngay']
    pre = ['', 'làm ơn', 'này', 'ơi', 'nhờ bạn']
    units = ['phút', 'giờ', 'tiếng']
    money = ['đồng', 'nghìn đồng', 'triệu đồng']
    out = set()
    T = []

    def time_phrase():
        h = rng.randint(1, 12)
        m = rng.choice([0, 5, 10, 15, 20, 30, 45, rng.randint(1, 59)])
        part = rng.choice(['sáng', 'trưa', 'chiều', 'tối', 'đêm', ''])
        s = vi_number(h) + ' giờ'
        if m == 30 and rng.random() < 0.5:
            s += ' rưỡi'
        elif m:
            s += ' ' + vi_number(m) + (' phút' if rng.random() < 0.5 else '')
        return (s + ' ' + part).strip()

    gens = [
        lambda: f"{rng.choice(pre)} {rng.choice(acts)} {rng.choice(polite)} cái {rng.choice(devices)} {rng.choice(rooms)}",
        lambda: f"{rng.choice(acts)} {rng.choice(devices)} {rng.choice(rooms)} lúc {time_phrase()}",
        lambda: f"chỉnh {rng.choice(['điều hòa', 'máy lạnh'])} {rng.choice(rooms)} xuống {vi_number(rng.randint(16, 30))} độ",
        lambda: f"tăng âm lượng {rng.choice(['tivi', 'loa'])} lên {vi_number(rng.randint(1, 100))} phần trăm",
        lambda: f"đặt báo thức lúc {time_phrase()} {rng.choice(['', 'ngày mai', 'thứ hai', 'thứ bảy', 'chủ nhật', 'hằng ngày'])}",
        lambda: f"hẹn giờ {vi_number(rng.randint(1, 90))} {rng.choice(units)} nữa {rng.choice(['tắt', 'bật'])} {rng.choice(devices)}",
        lambda: f"tôi muốn chuyển {vi_number(rng.randint(1, 999))} {rng.choice(money)} vào tài khoản {rng.choice(['tiết kiệm', 'của mẹ', 'thanh toán', 'công ty'])}",
        lambda: f"số dư tài khoản của tôi còn bao nhiêu {rng.choice(['', 'vậy em', 'ạ', 'hả bạn'])}",
        lambda: f"cho tôi gặp nhân viên {rng.choice(['tư vấn', 'hỗ trợ kỹ thuật', 'chăm sóc khách hàng', 'bán hàng'])} {rng.choice(['', 'với', 'được không', 'ạ'])}",
        lambda: f"tôi muốn {rng.choice(['đổi', 'hủy', 'gia hạn', 'đăng ký', 'nâng cấp'])} gói cước {rng.choice(['internet', 'di động', 'truyền hình', 'dữ liệu'])} {rng.choice(['', 'tháng này', 'từ tháng sau', 'ngay hôm nay'])}",
        lambda: f"hóa đơn tháng {vi_number(rng.randint(1, 12))} của tôi là {vi_number(rng.randint(10, 999))} {rng.choice(money)} phải không",
        lambda: f"mã đơn hàng của tôi là {' '.join(rng.choice(VI_DIGITS) for _ in range(rng.randint(4, 8)))}",
        lambda: f"số điện thoại của tôi là {' '.join(rng.choice(VI_DIGITS) for _ in range(10))}",
        lambda: f"đặt lịch hẹn lúc {time_phrase()} {rng.choice(['thứ hai', 'thứ ba', 'thứ tư', 'thứ năm', 'thứ sáu', 'ngày mai', 'tuần sau'])}",
        lambda: f"mạng nhà tôi bị {rng.choice(['chậm', 'mất kết nối', 'chập chờn', 'rớt mạng'])} từ {time_phrase()}",
        lambda: f"{rng.choice(['bật', 'mở'])} nhạc {rng.choice(['thư giãn', 'trẻ', 'bolero', 'không lời', 'cách mạng'])} {rng.choice(['', 'ở phòng khách', 'nhỏ thôi', 'to lên'])}",
        lambda: f"nhiệt độ {rng.choice(rooms)} bây giờ là bao nhiêu",
        lambda: f"{rng.choice(['khóa', 'mở khóa'])} cửa {rng.choice(['chính', 'sau', 'gara', 'ban công'])} {rng.choice(polite)}",
        lambda: f"tôi cần hỗ trợ về {rng.choice(['thẻ tín dụng', 'khoản vay', 'hóa đơn điện', 'đơn hàng', 'bảo hành', 'mật khẩu'])} {rng.choice(['', 'của tôi', 'bị khóa', 'mới làm'])}",
        lambda: f"lãi suất gửi tiết kiệm {vi_number(rng.choice([1, 3, 6, 9, 12, 24]))} tháng là bao nhiêu",
    ]
    tries = 0
    while len(T) < n and tries < n * 20:
        tries += 1
        s = nfc(' '.join(rng.choice(gens)().split()))
        if s not in out:
            out.add(s)
            T.append(s)
    return T


# ---------------------------------------------------------------- digits
DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']


def digit_strings(n):
    out, seen = [], set()
    while len(out) < n:
        k = rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8])
        s = ' '.join(rng.choice(DIGIT_WORDS) for _ in range(k))
        if k >= 3 and s in seen:
            continue
        seen.add(s)
        out.append(s)
    return out


def split_disjoint(sents, n_train, held_extra=()):
    """Unique sentences: test, dev first; train from the rest (never overlapping)."""
    uniq = list(dict.fromkeys(sents))
    rng.shuffle(uniq)
    test = uniq[:N_TEST]
    dev = uniq[N_TEST:N_TEST + N_DEV]
    train = uniq[N_TEST + N_DEV:N_TEST + N_DEV + n_train]
    return train, dev, test


def write(domain, train, dev, test, lm_extra=()):
    os.makedirs(os.path.join(WORK, 'text'), exist_ok=True)
    os.makedirs(os.path.join(WORK, 'lm_text'), exist_ok=True)
    for name, lst in (('train', train), ('dev', dev), ('test', test)):
        with open(os.path.join(WORK, 'text', f'{domain}.{name}.txt'), 'w', encoding='utf-8') as f:
            f.write('\n'.join(lst) + '\n')
    bad = set(test) | set(dev)
    lm = [s for s in list(dict.fromkeys(list(train) + list(lm_extra))) if s not in bad]
    with open(os.path.join(WORK, 'lm_text', f'{domain}.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lm) + '\n')
    print(f'{domain}: train {len(train)} dev {len(dev)} test {len(test)} lm {len(lm)}', file=sys.stderr)


def main():
    domains = sys.argv[1:] or ['en', 'vi', 'digits']
    if 'en' in domains:
        en = en_sentences()
        print('en candidate sentences', len(en), file=sys.stderr)
        tr, dv, te = split_disjoint(en, N_TRAIN['en'])
        # the LM gets all remaining (non-dev/test) sentences too
        rest = [s for s in en if s not in set(dv) | set(te)]
        write('en', tr, dv, te, lm_extra=rest)
    if 'vi' in domains:
        cat = vi_catalog_sentences()
        gen = vi_generated(int(N_TRAIN['vi'] * 0.55) + N_DEV + N_TEST)
        print('vi catalog sentences', len(cat), 'generated', len(gen), file=sys.stderr)
        # real FOSD sentences must never be in dev/test text (they are train-only when present)
        fosd_text = set()
        man = os.path.join(SHARED, 'fosd', 'train.jsonl')
        if os.path.exists(man):
            from synth import fosd_clean
            fosd_text = {fosd_clean(json.loads(l)['text']) for l in open(man, encoding='utf-8') if l.strip()} - {None}
        cat = [s for s in cat if s not in fosd_text]
        gen = [s for s in gen if s not in fosd_text]
        rng.shuffle(cat)
        rng.shuffle(gen)
        # mix catalog prose and generated commands ~ 45/55 in every split
        def take(lst, k):
            return lst[:k], lst[k:]
        nc_te, nc_dv = N_TEST * 45 // 100, N_DEV * 45 // 100
        te_c, cat = take(cat, nc_te); te_g, gen = take(gen, N_TEST - nc_te)
        dv_c, cat = take(cat, nc_dv); dv_g, gen = take(gen, N_DEV - nc_dv)
        ntr = N_TRAIN['vi']
        tr_c, cat_rest = take(cat, min(len(cat), ntr * 45 // 100))
        tr_g, gen_rest = take(gen, ntr - len(tr_c))
        test, dev, train = te_c + te_g, dv_c + dv_g, tr_c + tr_g
        rng.shuffle(train)
        # FOSD transcripts go into the LM text, except those of the real held-out set (real_speech.py's real_dev)
        held = set()
        if fosd_text:
            from real_speech import fosd_split
            held = {r['text'] for r in fosd_split(os.path.join(WORK, 'data', 'vi'))[0]}
        write('vi', train, dev, test, lm_extra=cat_rest + gen_rest + sorted(fosd_text - held))
    if 'digits' in domains:
        d = digit_strings(N_TRAIN['digits'] + N_DEV + N_TEST + 2000)
        # make sure multi-digit test/dev strings never appear in train: split on unique strings
        uniq = list(dict.fromkeys(d))
        long = [s for s in uniq if len(s.split()) >= 3]
        rng.shuffle(long)
        test, dev = long[:N_TEST], long[N_TEST:N_TEST + N_DEV]
        held = set(test) | set(dev)
        train = [s for s in d if s not in held][:N_TRAIN['digits']]
        write('digits', train, dev, test)


if __name__ == '__main__':
    main()

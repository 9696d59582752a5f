"""Multilingual phrase banks for the demo platform (real sentences in real scripts).

Everything abusive here is fictional and mild on purpose: insults, not slurs; threats that name
no real person. ``{link}``, ``{amount}``, ``{app}``, ``{handle}`` and ``{name}`` are filled in by
the scenario code.

Languages: en, es, pt, fr, de, ja, ko, th, hi, ur (Urdu is written right to left).
"""

from __future__ import annotations

LANGUAGES = ("en", "es", "pt", "fr", "de", "ja", "ko", "th", "hi", "ur")

EMOJI = (
    "😊",
    "😂",
    "❤️",
    "👍",
    "🙏",
    "😍",
    "🎉",
    "☕",
    "🌸",
    "😅",
    "🤔",
    "✨",
    "🌙",
    "🍕",
    "🐶",
    "⚽",
)

# Ordinary chat: small talk between matches.
ORDINARY: dict[str, tuple[str, ...]] = {
    "en": (
        "Hey, how was your weekend?",
        "Haha that's so true",
        "I love that place, the coffee is great",
        "Are you free on Thursday evening?",
        "Just got back from the gym, exhausted",
        "What kind of music do you like?",
        "My dog did the funniest thing today",
        "Good morning! Have a great day",
        "I've never been to Lisbon, is it nice?",
        "Sorry for the late reply, work was crazy",
        "That movie was better than I expected",
        "Do you cook? I make a decent lasagna",
        "Let's pick a place near the station",
        "I'm reading a book about the ocean right now",
        "Sounds good, see you then!",
    ),
    "es": (
        "¡Hola! ¿Qué tal tu fin de semana?",
        "Jajaja qué gracioso",
        "Me encanta ese café, tienen el mejor pan",
        "¿Estás libre el jueves por la tarde?",
        "Acabo de volver del gimnasio, estoy muerto",
        "¿Qué música te gusta?",
        "Mi perro hizo algo muy gracioso hoy",
        "¡Buenos días! Que tengas un gran día",
        "Nunca he estado en Lisboa, ¿es bonita?",
        "Perdón por tardar en contestar, mucho trabajo",
        "La película estuvo mejor de lo que esperaba",
        "¿Cocinas? Yo hago una paella decente",
        "Quedamos cerca de la estación",
        "Estoy leyendo un libro sobre el mar",
        "¡Perfecto, nos vemos!",
    ),
    "pt": (
        "Oi! Como foi o seu fim de semana?",
        "Kkkkk verdade",
        "Adoro esse lugar, o café é ótimo",
        "Você está livre na quinta à noite?",
        "Acabei de voltar da academia, estou morto",
        "Que tipo de música você curte?",
        "Meu cachorro fez uma coisa muito engraçada hoje",
        "Bom dia! Tenha um ótimo dia",
        "Nunca fui a Lisboa, é bonita?",
        "Desculpa a demora, o trabalho estava uma loucura",
        "O filme foi melhor do que eu esperava",
        "Você cozinha? Eu faço um feijão ótimo",
        "Vamos escolher um lugar perto da estação",
        "Estou lendo um livro sobre o oceano",
        "Combinado, até lá!",
    ),
    "fr": (
        "Salut ! Ton week-end s'est bien passé ?",
        "Haha c'est trop vrai",
        "J'adore cet endroit, le café est excellent",
        "Tu es libre jeudi soir ?",
        "Je rentre de la salle de sport, je suis épuisé",
        "Tu écoutes quel genre de musique ?",
        "Mon chien a fait un truc trop drôle aujourd'hui",
        "Bonjour ! Passe une belle journée",
        "Je ne suis jamais allé à Lisbonne, c'est joli ?",
        "Désolé pour la réponse tardive, grosse journée",
        "Le film était mieux que prévu",
        "Tu cuisines ? Je fais une bonne ratatouille",
        "On se retrouve près de la gare ?",
        "Je lis un livre sur l'océan en ce moment",
        "Parfait, à tout à l'heure !",
    ),
    "de": (
        "Hallo! Wie war dein Wochenende?",
        "Haha, das stimmt total",
        "Ich liebe das Café, der Kuchen ist super",
        "Hast du Donnerstagabend Zeit?",
        "Komme gerade vom Sport, bin total fertig",
        "Welche Musik hörst du gern?",
        "Mein Hund hat heute etwas total Lustiges gemacht",
        "Guten Morgen! Hab einen schönen Tag",
        "Ich war noch nie in Lissabon, ist es schön?",
        "Sorry für die späte Antwort, viel Arbeit",
        "Der Film war besser als erwartet",
        "Kochst du gern? Ich mache gute Spätzle",
        "Lass uns etwas in der Nähe vom Bahnhof aussuchen",
        "Ich lese gerade ein Buch über das Meer",
        "Klingt gut, bis dann!",
    ),
    "ja": (
        "こんにちは！週末はどうでしたか？",
        "それな、本当にそう思う",
        "あのカフェ大好き、コーヒーがおいしいよ",
        "木曜日の夜は空いてますか？",
        "ジムから帰ってきたところ、くたくた",
        "どんな音楽が好きですか？",
        "今日うちの犬がすごく面白いことをしたよ",
        "おはよう！いい一日を",
        "リスボンに行ったことないけど、きれいですか？",
        "返信遅くなってごめんね、仕事が忙しくて",
        "あの映画、思ったより良かった",
        "料理しますか？カレーなら得意です",
        "駅の近くのお店にしましょう",
        "今、海についての本を読んでいます",
        "了解、じゃあまたね！",
    ),
    "ko": (
        "안녕하세요! 주말 잘 보냈어요?",
        "ㅋㅋㅋ 완전 공감",
        "거기 카페 정말 좋아해요, 커피가 맛있어요",
        "목요일 저녁에 시간 있어요?",
        "방금 헬스장에서 왔어요, 너무 피곤해요",
        "어떤 음악 좋아해요?",
        "오늘 우리 강아지가 정말 웃긴 짓을 했어요",
        "좋은 아침이에요! 좋은 하루 보내세요",
        "리스본은 가 본 적 없는데 예뻐요?",
        "답장 늦어서 미안해요, 일이 너무 많았어요",
        "그 영화 생각보다 좋았어요",
        "요리해요? 저는 김치찌개 잘 만들어요",
        "역 근처에서 만나요",
        "요즘 바다에 관한 책을 읽고 있어요",
        "좋아요, 그때 봐요!",
    ),
    "th": (
        "สวัสดีครับ สุดสัปดาห์เป็นยังไงบ้าง",
        "555 จริงมาก",
        "ชอบร้านนั้นมาก กาแฟอร่อย",
        "วันพฤหัสตอนเย็นว่างไหม",
        "เพิ่งกลับจากยิม เหนื่อยมาก",
        "ชอบฟังเพลงแนวไหน",
        "วันนี้หมาของฉันทำอะไรตลกมาก",
        "อรุณสวัสดิ์ ขอให้เป็นวันที่ดีนะ",
        "ยังไม่เคยไปลิสบอนเลย สวยไหม",
        "ขอโทษที่ตอบช้า งานยุ่งมาก",
        "หนังเรื่องนั้นดีกว่าที่คิด",
        "ทำอาหารเป็นไหม ฉันทำต้มยำอร่อยนะ",
        "นัดเจอกันแถวสถานีดีไหม",
        "ตอนนี้กำลังอ่านหนังสือเกี่ยวกับทะเล",
        "โอเค แล้วเจอกันนะ",
    ),
    "hi": (
        "नमस्ते! आपका वीकेंड कैसा रहा?",
        "हाहा, बिल्कुल सही",
        "मुझे वह कैफ़े बहुत पसंद है, कॉफ़ी बढ़िया है",
        "क्या आप गुरुवार शाम को खाली हैं?",
        "अभी जिम से लौटा हूँ, बहुत थक गया",
        "आपको कैसा संगीत पसंद है?",
        "आज मेरे कुत्ते ने बहुत मज़ेदार हरकत की",
        "सुप्रभात! आपका दिन शुभ हो",
        "मैं कभी लिस्बन नहीं गया, क्या वह सुंदर है?",
        "देर से जवाब देने के लिए माफ़ कीजिए, काम बहुत था",
        "वह फ़िल्म उम्मीद से अच्छी थी",
        "क्या आप खाना बनाते हैं? मैं अच्छी दाल बनाता हूँ",
        "चलिए स्टेशन के पास कोई जगह चुनते हैं",
        "मैं अभी समुद्र के बारे में एक किताब पढ़ रहा हूँ",
        "ठीक है, फिर मिलते हैं!",
    ),
    "ur": (
        "السلام علیکم! آپ کا ویک اینڈ کیسا رہا؟",
        "ہاہا، بالکل سچ",
        "مجھے وہ کیفے بہت پسند ہے، کافی زبردست ہے",
        "کیا آپ جمعرات کی شام فارغ ہیں؟",
        "ابھی جم سے واپس آیا ہوں، بہت تھک گیا",
        "آپ کو کس قسم کی موسیقی پسند ہے؟",
        "آج میرے کتے نے بہت مزے کی حرکت کی",
        "صبح بخیر! آپ کا دن اچھا گزرے",
        "میں کبھی لزبن نہیں گیا، کیا وہ خوبصورت ہے؟",
        "دیر سے جواب دینے پر معذرت، کام بہت تھا",
        "وہ فلم توقع سے بہتر تھی",
        "کیا آپ کھانا پکاتے ہیں؟ میں اچھی بریانی بناتا ہوں",
        "چلیں اسٹیشن کے قریب کوئی جگہ چنتے ہیں",
        "میں آج کل سمندر کے بارے میں ایک کتاب پڑھ رہا ہوں",
        "ٹھیک ہے، پھر ملتے ہیں!",
    ),
}

# Scenario scripts. Each maps a language to lines, used in order or picked by the scenario code.
ROMANCE_OPENER: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi beautiful, your smile made my day",
        "I feel like I've known you forever, is that crazy?",
    ),
    "es": (
        "Hola preciosa, tu sonrisa me alegró el día",
        "Siento que te conozco desde siempre, ¿es una locura?",
    ),
    "pt": (
        "Oi linda, seu sorriso alegrou meu dia",
        "Sinto que te conheço há muito tempo, é loucura?",
    ),
    "fr": (
        "Bonjour ma belle, ton sourire a illuminé ma journée",
        "J'ai l'impression de te connaître depuis toujours, c'est fou ?",
    ),
    "de": (
        "Hallo Schöne, dein Lächeln hat meinen Tag gerettet",
        "Ich habe das Gefühl, dich schon ewig zu kennen, ist das verrückt?",
    ),
    "ja": (
        "こんにちは、あなたの笑顔で一日が明るくなりました",
        "ずっと前から知っている気がします。変かな？",
    ),
    "ko": (
        "안녕하세요, 당신 미소 덕분에 하루가 행복해졌어요",
        "오래전부터 알던 사람 같아요, 이상한가요?",
    ),
    "th": ("สวัสดีครับคนสวย รอยยิ้มของคุณทำให้ผมมีความสุขทั้งวัน", "รู้สึกเหมือนรู้จักคุณมานานแล้ว แปลกไหม"),
    "hi": (
        "नमस्ते, आपकी मुस्कान ने मेरा दिन बना दिया",
        "ऐसा लगता है जैसे मैं आपको हमेशा से जानता हूँ, अजीब है ना?",
    ),
    "ur": (
        "ہیلو، آپ کی مسکراہٹ نے میرا دن بنا دیا",
        "ایسا لگتا ہے جیسے میں آپ کو ہمیشہ سے جانتا ہوں، عجیب ہے نا؟",
    ),
}

# Scam rings paste one long opener to many victims, changing the name (and now and then an
# emoji): near-duplicate opening messages, the "message template" signal of the hunt.
RING_TEMPLATES: dict[str, tuple[str, ...]] = {
    "es": (
        "Hola {name}, vi tu perfil y no pude dejar de escribirte. Soy ingeniero en una plataforma "
        "petrolera, viudo desde hace años, y busco a una mujer sincera con quien compartir mi vida. "
        "¿Me das la oportunidad de conocerte?",
    ),
    "fr": (
        "Bonjour {name}, je suis tombé sur ton profil et ton sourire m'a vraiment touché. Je suis "
        "médecin humanitaire en mission à l'étranger, divorcé, et je cherche une relation sérieuse "
        "et honnête. Puis-je apprendre à te connaître un peu mieux ?",
    ),
    "ja": (
        "{name}さん、はじめまして。プロフィールを拝見して、とても優しそうな方だと思いメッセージしました。"
        "私はシンガポールで投資の仕事をしていて、真剣にお付き合いできる方を探しています。"
        "よかったら仲良くしてください。",
    ),
}

OFF_PLATFORM: dict[str, tuple[str, ...]] = {
    "en": (
        "This app is so slow, let's talk on {app} instead",
        "Add me on {app}, I'm almost never on here",
    ),
    "es": (
        "Esta app va muy lenta, mejor hablemos por {app}",
        "Agrégame en {app}, casi nunca entro aquí",
    ),
    "pt": (
        "Esse app é muito lento, vamos conversar no {app}",
        "Me adiciona no {app}, quase nunca entro aqui",
    ),
    "fr": (
        "Cette appli rame, parlons plutôt sur {app}",
        "Ajoute-moi sur {app}, je ne viens presque jamais ici",
    ),
    "de": (
        "Die App ist so langsam, lass uns lieber auf {app} schreiben",
        "Füg mich auf {app} hinzu, ich bin hier fast nie online",
    ),
    "ja": ("このアプリ重いから、{app}で話そうよ", "{app}で追加して。ここはほとんど見ないから"),
    "ko": (
        "이 앱 너무 느려요, {app}에서 얘기해요",
        "{app}로 추가해 주세요, 여기는 거의 안 들어와요",
    ),
    "th": ("แอปนี้ช้ามาก ไปคุยกันใน {app} ดีกว่า", "แอด {app} มาหน่อย ผมแทบไม่ได้เข้าแอปนี้เลย"),
    "hi": ("यह ऐप बहुत धीमा है, चलिए {app} पर बात करते हैं", "मुझे {app} पर जोड़ लीजिए, मैं यहाँ कम ही आता हूँ"),
    "ur": (
        "یہ ایپ بہت سست ہے، چلیں {app} پر بات کرتے ہیں",
        "مجھے {app} پر ایڈ کر لیں، میں یہاں کم ہی آتا ہوں",
    ),
}

GIFT_CARD: dict[str, tuple[str, ...]] = {
    "en": (
        "My card is blocked at customs, can you buy me a {amount} gift card and send me the code?",
        "Please, just a Steam or Apple gift card for {amount}, I'll pay you back next week ❤️",
    ),
    "es": (
        "Mi tarjeta está bloqueada en la aduana, ¿me compras una tarjeta regalo de {amount} y me mandas el código?",
        "Por favor, solo una tarjeta regalo de Apple de {amount}, te lo devuelvo la semana que viene ❤️",
    ),
    "pt": (
        "Meu cartão foi bloqueado na alfândega, você pode comprar um cartão-presente de {amount} e me mandar o código?",
        "Por favor, só um cartão-presente da Apple de {amount}, te pago semana que vem ❤️",
    ),
    "fr": (
        "Ma carte est bloquée à la douane, tu peux m'acheter une carte cadeau de {amount} et m'envoyer le code ?",
        "S'il te plaît, juste une carte cadeau Apple de {amount}, je te rembourse la semaine prochaine ❤️",
    ),
    "de": (
        "Meine Karte ist beim Zoll gesperrt, kannst du mir eine Geschenkkarte über {amount} kaufen und mir den Code schicken?",
        "Bitte, nur eine Apple-Geschenkkarte über {amount}, ich zahle es dir nächste Woche zurück ❤️",
    ),
    "ja": (
        "税関でカードが止められてしまって。{amount}分のギフトカードを買ってコードを送ってくれない？",
        "お願い、{amount}のアップルギフトカードだけでいいの。来週必ず返すから ❤️",
    ),
    "ko": (
        "세관에서 카드가 막혔어요. {amount} 기프트카드 사서 코드 보내줄 수 있어요?",
        "제발요, {amount}짜리 애플 기프트카드 하나만요. 다음 주에 꼭 갚을게요 ❤️",
    ),
    "th": (
        "บัตรของผมถูกระงับที่ศุลกากร ช่วยซื้อบัตรของขวัญ {amount} แล้วส่งรหัสมาให้หน่อยได้ไหม",
        "ขอร้องล่ะ แค่บัตรของขวัญ Apple {amount} เดี๋ยวอาทิตย์หน้าคืนให้ ❤️",
    ),
    "hi": (
        "कस्टम पर मेरा कार्ड ब्लॉक हो गया है, क्या आप {amount} का गिफ्ट कार्ड खरीदकर कोड भेज सकती हैं?",
        "प्लीज़, बस {amount} का एक ऐप्पल गिफ्ट कार्ड, मैं अगले हफ्ते लौटा दूँगा ❤️",
    ),
    "ur": (
        "کسٹم پر میرا کارڈ بلاک ہو گیا ہے، کیا آپ {amount} کا گفٹ کارڈ خرید کر کوڈ بھیج سکتی ہیں؟",
        "پلیز، بس {amount} کا ایک ایپل گفٹ کارڈ، میں اگلے ہفتے واپس کر دوں گا ❤️",
    ),
}

CRYPTO: dict[str, tuple[str, ...]] = {
    "en": (
        "I found an amazing investment, send {amount} in USDT to my wallet and I'll double it for you",
        "Just send bitcoin to this address, it's safe, I do it every week 🚀",
    ),
    "es": (
        "Encontré una inversión increíble, envía {amount} en USDT a mi billetera y te lo duplico",
        "Solo manda bitcoin a esta dirección, es seguro, lo hago cada semana 🚀",
    ),
    "pt": (
        "Achei um investimento incrível, manda {amount} em USDT para minha carteira que eu dobro pra você",
        "É só mandar bitcoin para este endereço, é seguro, eu faço toda semana 🚀",
    ),
    "fr": (
        "J'ai trouvé un placement incroyable, envoie {amount} en USDT sur mon portefeuille et je le double",
        "Envoie juste des bitcoins à cette adresse, c'est sûr, je le fais chaque semaine 🚀",
    ),
    "de": (
        "Ich habe eine tolle Investition gefunden, schick {amount} in USDT an meine Wallet und ich verdopple es",
        "Schick einfach Bitcoin an diese Adresse, das ist sicher, ich mache das jede Woche 🚀",
    ),
    "ja": (
        "すごい投資を見つけたの。{amount}分のUSDTを私のウォレットに送れば倍にしてあげる",
        "このアドレスにビットコインを送るだけ。安全だよ、毎週やってるから 🚀",
    ),
    "ko": (
        "대박 투자처를 찾았어요. 제 지갑으로 USDT {amount} 보내면 두 배로 불려 줄게요",
        "이 주소로 비트코인만 보내면 돼요, 안전해요, 저는 매주 해요 🚀",
    ),
    "th": (
        "เจอการลงทุนที่ดีมาก โอน USDT {amount} เข้ากระเป๋าของผม แล้วผมจะทำให้เป็นสองเท่า",
        "แค่ส่งบิตคอยน์มาที่ที่อยู่นี้ ปลอดภัย ผมทำทุกอาทิตย์ 🚀",
    ),
    "hi": (
        "मुझे एक शानदार निवेश मिला है, मेरे वॉलेट में {amount} USDT भेजिए, मैं उसे दोगुना कर दूँगा",
        "बस इस पते पर बिटकॉइन भेज दीजिए, यह सुरक्षित है, मैं हर हफ्ते करता हूँ 🚀",
    ),
    "ur": (
        "مجھے ایک زبردست سرمایہ کاری ملی ہے، میرے والٹ میں {amount} USDT بھیجیں، میں اسے دگنا کر دوں گا",
        "بس اس ایڈریس پر بٹ کوائن بھیج دیں، یہ محفوظ ہے، میں ہر ہفتے کرتا ہوں 🚀",
    ),
}

THREAT: dict[str, tuple[str, ...]] = {
    "en": (
        "You'll regret ignoring me. I know where you work.",
        "Answer me or I'll make sure everyone hears about you.",
    ),
    "es": (
        "Te vas a arrepentir de ignorarme. Sé dónde trabajas.",
        "Contéstame o me aseguraré de que todos sepan de ti.",
    ),
    "pt": (
        "Você vai se arrepender de me ignorar. Eu sei onde você trabalha.",
        "Me responde ou vou garantir que todo mundo saiba de você.",
    ),
    "fr": (
        "Tu vas regretter de m'ignorer. Je sais où tu travailles.",
        "Réponds-moi ou je ferai en sorte que tout le monde entende parler de toi.",
    ),
    "de": (
        "Du wirst es bereuen, mich zu ignorieren. Ich weiß, wo du arbeitest.",
        "Antworte mir, oder ich sorge dafür, dass alle von dir hören.",
    ),
    "ja": (
        "無視したことを後悔するよ。職場は知ってるからね。",
        "返事しないなら、みんなに言いふらすから。",
    ),
    "ko": (
        "날 무시한 걸 후회하게 될 거야. 네 직장 어딘지 알아.",
        "대답 안 하면 모두가 너에 대해 알게 만들 거야.",
    ),
    "th": ("แกจะเสียใจที่เมินฉัน ฉันรู้ว่าแกทำงานที่ไหน", "ตอบมาเดี๋ยวนี้ ไม่งั้นฉันจะทำให้ทุกคนรู้เรื่องแก"),
    "hi": (
        "मुझे नज़रअंदाज़ करने का तुम्हें पछतावा होगा। मुझे पता है तुम कहाँ काम करते हो।",
        "जवाब दो वरना मैं सबको तुम्हारे बारे में बता दूँगा।",
    ),
    "ur": (
        "مجھے نظرانداز کرنے پر تمہیں پچھتاوا ہوگا۔ مجھے معلوم ہے تم کہاں کام کرتے ہو۔",
        "جواب دو ورنہ میں سب کو تمہارے بارے میں بتا دوں گا۔",
    ),
}

SEXTORTION: dict[str, tuple[str, ...]] = {
    "en": (
        "I saved your photos. Pay {amount} by tonight or I send them to all your friends and family.",
        "Don't block me. {amount} in gift cards or bitcoin, you have 24 hours.",
    ),
    "es": (
        "Guardé tus fotos. Paga {amount} antes de esta noche o se las mando a todos tus amigos y familia.",
        "No me bloquees. {amount} en tarjetas regalo o bitcoin, tienes 24 horas.",
    ),
    "pt": (
        "Salvei suas fotos. Pague {amount} até hoje à noite ou mando para todos os seus amigos e família.",
        "Não me bloqueie. {amount} em cartões-presente ou bitcoin, você tem 24 horas.",
    ),
    "fr": (
        "J'ai gardé tes photos. Paie {amount} avant ce soir ou je les envoie à tous tes amis et ta famille.",
        "Ne me bloque pas. {amount} en cartes cadeaux ou en bitcoin, tu as 24 heures.",
    ),
    "de": (
        "Ich habe deine Fotos gespeichert. Zahl bis heute Abend {amount}, sonst schicke ich sie all deinen Freunden und deiner Familie.",
        "Blockier mich nicht. {amount} in Geschenkkarten oder Bitcoin, du hast 24 Stunden.",
    ),
    "ja": (
        "あなたの写真は保存した。今夜までに{amount}払わないと、友達や家族全員に送る。",
        "ブロックするな。ギフトカードかビットコインで{amount}、24時間以内だ。",
    ),
    "ko": (
        "네 사진 저장해 뒀어. 오늘 밤까지 {amount} 보내지 않으면 친구랑 가족 모두에게 보낼 거야.",
        "차단하지 마. 기프트카드나 비트코인으로 {amount}, 24시간 준다.",
    ),
    "th": (
        "ฉันเก็บรูปของแกไว้แล้ว จ่าย {amount} ภายในคืนนี้ ไม่งั้นจะส่งให้เพื่อนและครอบครัวแกทุกคน",
        "อย่าบล็อกฉัน {amount} เป็นบัตรของขวัญหรือบิตคอยน์ มีเวลา 24 ชั่วโมง",
    ),
    "hi": (
        "मैंने तुम्हारी तस्वीरें सेव कर ली हैं। आज रात तक {amount} भेजो वरना सबको भेज दूँगा।",
        "मुझे ब्लॉक मत करना। गिफ्ट कार्ड या बिटकॉइन में {amount}, तुम्हारे पास 24 घंटे हैं।",
    ),
    "ur": (
        "میں نے تمہاری تصویریں محفوظ کر لی ہیں۔ آج رات تک {amount} بھیجو ورنہ سب کو بھیج دوں گا۔",
        "مجھے بلاک مت کرنا۔ گفٹ کارڈ یا بٹ کوائن میں {amount}، تمہارے پاس 24 گھنٹے ہیں۔",
    ),
}

HARASSMENT: dict[str, tuple[str, ...]] = {
    "en": (
        "Nobody wants you here, you pathetic clown 🤡",
        "People like you should stay off this app, loser",
        "You're a joke and everyone is laughing at you",
    ),
    "es": (
        "Nadie te quiere aquí, payaso patético 🤡",
        "La gente como tú debería irse de esta app, perdedor",
        "Eres un chiste y todos se ríen de ti",
    ),
    "pt": (
        "Ninguém quer você aqui, palhaço patético 🤡",
        "Gente como você devia sair desse app, perdedor",
        "Você é uma piada e todo mundo ri de você",
    ),
    "fr": (
        "Personne ne veut de toi ici, pauvre clown 🤡",
        "Les gens comme toi devraient quitter cette appli, minable",
        "Tu es une blague et tout le monde se moque de toi",
    ),
    "de": (
        "Niemand will dich hier, du erbärmlicher Clown 🤡",
        "Leute wie du sollten diese App verlassen, Versager",
        "Du bist ein Witz und alle lachen über dich",
    ),
    "ja": (
        "誰もお前なんか必要としてない、哀れなピエロ 🤡",
        "お前みたいな奴はこのアプリから消えろ、負け犬",
        "お前は笑いものだ、みんな笑ってるぞ",
    ),
    "ko": (
        "아무도 너 여기 원하지 않아, 한심한 광대야 🤡",
        "너 같은 사람은 이 앱에서 꺼져, 루저",
        "넌 웃음거리야, 다들 널 비웃고 있어",
    ),
    "th": (
        "ไม่มีใครต้องการแกที่นี่ ตัวตลกน่าสมเพช 🤡",
        "คนแบบแกควรออกไปจากแอปนี้ซะ ไอ้ขี้แพ้",
        "แกมันตัวตลก ทุกคนหัวเราะเยาะแก",
    ),
    "hi": (
        "यहाँ तुम्हें कोई नहीं चाहता, बेचारा जोकर 🤡",
        "तुम जैसे लोगों को यह ऐप छोड़ देना चाहिए, हारे हुए",
        "तुम एक मज़ाक हो और सब तुम पर हँसते हैं",
    ),
    "ur": (
        "یہاں تمہیں کوئی نہیں چاہتا، بیچارے مسخرے 🤡",
        "تم جیسے لوگوں کو یہ ایپ چھوڑ دینی چاہیے، ہارے ہوئے",
        "تم ایک مذاق ہو اور سب تم پر ہنستے ہیں",
    ),
}

SPAM: dict[str, tuple[str, ...]] = {
    "en": ("Hey! I just got 500 USDT free here 👉 {link} only today!",),
    "es": ("¡Hola! Acabo de recibir 500 USDT gratis aquí 👉 {link} ¡solo hoy!",),
    "pt": ("Oi! Acabei de ganhar 500 USDT grátis aqui 👉 {link} só hoje!",),
    "fr": ("Salut ! Je viens de recevoir 500 USDT gratuits ici 👉 {link} aujourd'hui seulement !",),
    "de": ("Hey! Ich habe hier gerade 500 USDT gratis bekommen 👉 {link} nur heute!",),
    "ja": ("見て！ここで500 USDTが無料でもらえた 👉 {link} 今日だけ！",),
    "ko": ("대박! 여기서 500 USDT 무료로 받았어요 👉 {link} 오늘만!",),
    "th": ("ดูสิ! เพิ่งได้ 500 USDT ฟรีที่นี่ 👉 {link} วันนี้เท่านั้น!",),
    "hi": ("देखो! मुझे यहाँ 500 USDT मुफ़्त मिले 👉 {link} सिर्फ़ आज!",),
    "ur": ("دیکھو! مجھے یہاں 500 USDT مفت ملے 👉 {link} صرف آج!",),
}

IMPERSONATION_ASK: dict[str, tuple[str, ...]] = {
    "en": ("Hi, it's me, I had to make a new account. Could you lend me {amount} until Friday?",),
    "es": (
        "Hola, soy yo, tuve que hacerme una cuenta nueva. ¿Me prestas {amount} hasta el viernes?",
    ),
    "pt": ("Oi, sou eu, tive que criar uma conta nova. Você me empresta {amount} até sexta?",),
    "fr": (
        "Salut, c'est moi, j'ai dû créer un nouveau compte. Tu peux me prêter {amount} jusqu'à vendredi ?",
    ),
    "de": (
        "Hi, ich bin's, ich musste ein neues Konto anlegen. Kannst du mir bis Freitag {amount} leihen?",
    ),
    "ja": ("私だよ、新しいアカウントを作ったの。金曜まで{amount}貸してくれない？",),
    "ko": ("나야, 새 계정 만들었어. 금요일까지 {amount} 빌려줄 수 있어?",),
    "th": ("นี่เราเองนะ ต้องสมัครบัญชีใหม่ ขอยืม {amount} ถึงวันศุกร์ได้ไหม",),
    "hi": ("मैं ही हूँ, नया अकाउंट बनाना पड़ा। क्या शुक्रवार तक {amount} उधार दे सकते हो?",),
    "ur": ("میں ہی ہوں، نیا اکاؤنٹ بنانا پڑا۔ کیا جمعہ تک {amount} ادھار دے سکتے ہو؟",),
}

# Report free text per language and reason (reporters write in their own language).
REPORT_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "scam": "This person asked me for gift cards and wanted to move to WhatsApp.",
        "harassment": "Keeps sending me insults.",
        "spam": "Sent me a strange link.",
        "fake_profile": "The photos look fake.",
        "impersonation": "This account is pretending to be me and uses my photos.",
        "threats": "They threatened to share my pictures unless I pay.",
        "inappropriate": "Inappropriate messages.",
    },
    "es": {
        "scam": "Me pidió tarjetas regalo y quería pasar a WhatsApp.",
        "harassment": "Me sigue insultando.",
        "spam": "Me mandó un enlace raro.",
        "fake_profile": "Las fotos parecen falsas.",
        "impersonation": "Esta cuenta se hace pasar por mí y usa mis fotos.",
        "threats": "Amenaza con compartir mis fotos si no pago.",
        "inappropriate": "Mensajes inapropiados.",
    },
    "pt": {
        "scam": "Me pediu cartões-presente e queria ir para o WhatsApp.",
        "harassment": "Continua me insultando.",
        "spam": "Me mandou um link estranho.",
        "fake_profile": "As fotos parecem falsas.",
        "impersonation": "Essa conta está se passando por mim e usa minhas fotos.",
        "threats": "Ameaçou compartilhar minhas fotos se eu não pagar.",
        "inappropriate": "Mensagens inapropriadas.",
    },
    "fr": {
        "scam": "Cette personne m'a demandé des cartes cadeaux et voulait passer sur WhatsApp.",
        "harassment": "Il continue de m'insulter.",
        "spam": "M'a envoyé un lien bizarre.",
        "fake_profile": "Les photos ont l'air fausses.",
        "impersonation": "Ce compte se fait passer pour moi avec mes photos.",
        "threats": "Menace de partager mes photos si je ne paie pas.",
        "inappropriate": "Messages déplacés.",
    },
    "de": {
        "scam": "Die Person wollte Geschenkkarten und zu WhatsApp wechseln.",
        "harassment": "Beleidigt mich ständig.",
        "spam": "Hat mir einen komischen Link geschickt.",
        "fake_profile": "Die Fotos sehen gefälscht aus.",
        "impersonation": "Dieses Konto gibt sich als mich aus und benutzt meine Fotos.",
        "threats": "Droht, meine Bilder zu verbreiten, wenn ich nicht zahle.",
        "inappropriate": "Unangemessene Nachrichten.",
    },
    "ja": {
        "scam": "ギフトカードを要求され、LINEに移動しようと言われました。",
        "harassment": "何度も悪口を送ってきます。",
        "spam": "怪しいリンクが送られてきました。",
        "fake_profile": "写真が偽物に見えます。",
        "impersonation": "このアカウントは私の写真を使って私になりすましています。",
        "threats": "お金を払わないと写真をばらまくと脅されました。",
        "inappropriate": "不適切なメッセージです。",
    },
    "ko": {
        "scam": "기프트카드를 요구하고 카카오톡으로 옮기자고 했어요.",
        "harassment": "계속 욕설을 보내요.",
        "spam": "이상한 링크를 보냈어요.",
        "fake_profile": "사진이 가짜 같아요.",
        "impersonation": "이 계정이 제 사진으로 저를 사칭하고 있어요.",
        "threats": "돈을 안 보내면 사진을 퍼뜨리겠다고 협박했어요.",
        "inappropriate": "부적절한 메시지입니다.",
    },
    "th": {
        "scam": "คนนี้ขอบัตรของขวัญและอยากย้ายไปคุยใน LINE",
        "harassment": "ส่งคำด่ามาไม่หยุด",
        "spam": "ส่งลิงก์แปลกๆ มา",
        "fake_profile": "รูปดูเหมือนของปลอม",
        "impersonation": "บัญชีนี้แอบอ้างเป็นฉันและใช้รูปของฉัน",
        "threats": "ขู่ว่าจะปล่อยรูปถ้าไม่จ่ายเงิน",
        "inappropriate": "ข้อความไม่เหมาะสม",
    },
    "hi": {
        "scam": "इसने मुझसे गिफ्ट कार्ड माँगे और व्हाट्सऐप पर बात करना चाहा।",
        "harassment": "लगातार गालियाँ भेज रहा है।",
        "spam": "एक अजीब लिंक भेजा।",
        "fake_profile": "तस्वीरें नकली लगती हैं।",
        "impersonation": "यह अकाउंट मेरी तस्वीरों के साथ मेरा रूप धर रहा है।",
        "threats": "पैसे न देने पर मेरी तस्वीरें फैलाने की धमकी दी।",
        "inappropriate": "अनुचित संदेश।",
    },
    "ur": {
        "scam": "اس نے مجھ سے گفٹ کارڈ مانگے اور واٹس ایپ پر بات کرنا چاہی۔",
        "harassment": "مسلسل گالیاں بھیج رہا ہے۔",
        "spam": "ایک عجیب لنک بھیجا۔",
        "fake_profile": "تصویریں جعلی لگتی ہیں۔",
        "impersonation": "یہ اکاؤنٹ میری تصویروں کے ساتھ میری نقالی کر رہا ہے۔",
        "threats": "پیسے نہ دینے پر میری تصویریں پھیلانے کی دھمکی دی۔",
        "inappropriate": "نامناسب پیغامات۔",
    },
}

APPEAL_TEXT: dict[str, tuple[str, ...]] = {
    "en": (
        "I didn't do anything wrong, please review again.",
        "Someone else used my phone, sorry.",
    ),
    "es": (
        "No hice nada malo, por favor revísenlo otra vez.",
        "Otra persona usó mi teléfono, lo siento.",
    ),
    "pt": (
        "Não fiz nada de errado, por favor revisem de novo.",
        "Outra pessoa usou meu celular, desculpa.",
    ),
    "fr": (
        "Je n'ai rien fait de mal, merci de revoir ma situation.",
        "Quelqu'un d'autre a utilisé mon téléphone, désolé.",
    ),
    "de": (
        "Ich habe nichts falsch gemacht, bitte prüft es noch einmal.",
        "Jemand anderes hat mein Handy benutzt, sorry.",
    ),
    "ja": (
        "何も悪いことはしていません。もう一度確認してください。",
        "他の人が私の携帯を使いました。すみません。",
    ),
    "ko": ("저는 잘못한 게 없어요. 다시 검토해 주세요.", "다른 사람이 제 폰을 썼어요, 죄송합니다."),
    "th": ("ฉันไม่ได้ทำอะไรผิด ช่วยตรวจสอบอีกครั้ง", "คนอื่นใช้โทรศัพท์ของฉัน ขอโทษค่ะ"),
    "hi": ("मैंने कुछ गलत नहीं किया, कृपया फिर से देखें।", "किसी और ने मेरा फ़ोन इस्तेमाल किया, माफ़ कीजिए।"),
    "ur": (
        "میں نے کچھ غلط نہیں کیا، براہ کرم دوبارہ دیکھیں۔",
        "کسی اور نے میرا فون استعمال کیا، معذرت۔",
    ),
}

BIOS: dict[str, tuple[str, ...]] = {
    "en": (
        "Coffee, hiking and bad puns.",
        "Dog person. Looking for someone to explore the city with.",
        "Nurse by day, amateur baker by night.",
        "Learning guitar, slowly.",
        "Ask me about my plants 🌱",
    ),
    "es": (
        "Café, montaña y chistes malos.",
        "Amante de los perros. Busco a alguien para descubrir la ciudad.",
        "Enfermera de día, pastelera de noche.",
        "Aprendiendo guitarra, poco a poco.",
        "Pregúntame por mis plantas 🌱",
    ),
    "pt": (
        "Café, trilhas e piadas ruins.",
        "Apaixonado por cachorros. Procurando alguém para explorar a cidade.",
        "Enfermeira de dia, confeiteira à noite.",
        "Aprendendo violão, devagar.",
        "Me pergunte sobre minhas plantas 🌱",
    ),
    "fr": (
        "Café, randonnée et mauvais jeux de mots.",
        "Fan de chiens. Je cherche quelqu'un pour explorer la ville.",
        "Infirmière le jour, pâtissière la nuit.",
        "J'apprends la guitare, doucement.",
        "Parle-moi de plantes 🌱",
    ),
    "de": (
        "Kaffee, Wandern und schlechte Wortwitze.",
        "Hundemensch. Suche jemanden, um die Stadt zu entdecken.",
        "Tagsüber Pflegerin, nachts Hobbybäckerin.",
        "Lerne Gitarre, langsam.",
        "Frag mich nach meinen Pflanzen 🌱",
    ),
    "ja": (
        "コーヒーと山歩きが好きです。",
        "犬派です。一緒に街を散策できる人を探しています。",
        "昼は看護師、夜はお菓子作り。",
        "ギターを練習中です。",
        "植物の話をしましょう 🌱",
    ),
    "ko": (
        "커피, 등산, 그리고 아재개그.",
        "강아지 좋아해요. 같이 동네 탐방할 사람 찾아요.",
        "낮에는 간호사, 밤에는 홈베이커.",
        "기타 배우는 중이에요.",
        "식물 얘기 좋아해요 🌱",
    ),
    "th": (
        "ชอบกาแฟ เดินป่า และมุกแป้ก",
        "ทาสหมา กำลังหาคนไปเที่ยวในเมืองด้วยกัน",
        "กลางวันเป็นพยาบาล กลางคืนอบขนม",
        "กำลังหัดเล่นกีตาร์",
        "ถามเรื่องต้นไม้ได้เลย 🌱",
    ),
    "hi": (
        "कॉफ़ी, ट्रेकिंग और बेकार चुटकुले।",
        "कुत्तों से प्यार। शहर घूमने के लिए साथी की तलाश।",
        "दिन में नर्स, रात में बेकर।",
        "गिटार सीख रहा हूँ, धीरे-धीरे।",
        "पौधों के बारे में पूछिए 🌱",
    ),
    "ur": (
        "کافی، پہاڑ اور بے تکے لطیفے۔",
        "کتوں سے محبت۔ شہر گھومنے کے لیے ساتھی کی تلاش۔",
        "دن میں نرس، رات میں بیکر۔",
        "گٹار سیکھ رہا ہوں، آہستہ آہستہ۔",
        "پودوں کے بارے میں پوچھیں 🌱",
    ),
}

# Off-platform apps named in scam scripts, per language (what scammers actually suggest there).
APPS: dict[str, tuple[str, ...]] = {
    "en": ("WhatsApp", "Telegram"),
    "es": ("WhatsApp", "Telegram"),
    "pt": ("WhatsApp", "Telegram"),
    "fr": ("WhatsApp", "Telegram"),
    "de": ("WhatsApp", "Telegram"),
    "ja": ("LINE", "Telegram"),
    "ko": ("KakaoTalk", "Telegram"),
    "th": ("LINE", "WhatsApp"),
    "hi": ("WhatsApp", "Telegram"),
    "ur": ("WhatsApp", "Telegram"),
}


def chat_bank() -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Every ordinary line with and without emoji, flattened; and each language's (start, count).

    Message bodies are indices into this list, so 20M bodies cost 20M integers, not 20M strings.
    """
    flat: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    for lang in LANGUAGES:
        start = len(flat)
        for line in ORDINARY[lang]:
            flat.append(line)
            for e in EMOJI[:7]:
                flat.append(f"{line} {e}")
        spans[lang] = (start, len(flat) - start)
    return flat, spans

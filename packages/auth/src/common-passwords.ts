// The passwords seen most often in public breach corpora (lower-cased). A short list on purpose:
// a site that wants a longer one adds a validator of its own (see README, "Passwords").
const WORDS = `
123456 123456789 12345678 12345 1234567 1234567890 123123 111111 000000 123321 654321 666666
121212 112233 7777777 888888 987654321 1234 12341234 11111111 00000000 123qwe 1q2w3e 1q2w3e4r
1q2w3e4r5t 1qaz2wsx qwerty qwerty123 qwertyuiop qwerty1 qwe123 asdfgh asdfghjkl asdf1234 zxcvbnm
zxcvbn azerty password password1 password12 password123 passw0rd p@ssw0rd p@ssword pa55word
password! admin admin123 administrator root toor letmein welcome welcome1 welcome123 login
abc123 abcd1234 abcdef abc12345 iloveyou iloveyou1 monkey dragon master superman batman
football baseball soccer hockey basketball michael jennifer jordan23 hunter hunter2 shadow
sunshine princess starwars trustno1 whatever freedom secret secret123 changeme default guest
test test123 testing 123abc qazwsx qazwsxedc 1qazxsw2 zaq12wsx zaq1zaq1 !qaz2wsx ashley
charlie daniel jessica thomas andrew michelle robert matthew joshua george pepper ginger
cookie summer winter spring autumn flower orange banana chocolate computer internet samsung
google facebook linkedin youtube pokemon minecraft naruto killer cheese purple yellow silver
golden diamond lovely loveme lovers mustang ferrari harley corvette mercedes porsche
killer1 asshole fuckyou fuckoff biteme blink182 696969 159753 147258369 753951 789456123
987654 246810 1111 11111 111111111 1111111111 222222 333333 444444 555555 999999
aaaaaa qwertz qwert 12qwaszx 1234qwer q1w2e3r4 q1w2e3r4t5 zxc123 asd123 qweasd qweasdzxc
letmein1 monkey1 dragon1 master1 shadow1 sunshine1 princess1 football1 baseball1 superman1
charlie1 michael1 jessica1 nicole ashley1 daniel1 liverpool chelsea arsenal barcelona
realmadrid manchester juventus jesus jesus1 blessed angel angel1 babygirl baby123 buster
tigger tigger1 jasmine maggie bailey harley1 hello hello123 hellokitty iloveu loveyou
welcome01 password01 admin1 admin1234 user user123 demo demo123 temp temp123 pass pass123
pass1234 passwort motdepasse contraseña senha parola wachtwoord salasana haslo
`;

/** The common-password list as a set, for an O(1) check. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));

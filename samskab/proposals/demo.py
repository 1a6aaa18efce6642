"""The demo's proposals, one in every state: open with supports, successful, being
evaluated, accepted, rejected, on the agenda of a coming meeting, treated at the past
(recorded) council meeting, retired, archived and hidden. Registered with core.demo after
the debates (their areas, tags and people) and the meetings; idempotent (a proposal is
found by its title and left as it is).

The demo's people are few, so a successful proposal is marked successful directly (its
supports are real rows from the demo's verified residents, just fewer than the setting
asks for); everything else goes through the services.
"""

from datetime import timedelta

from django.utils import timezone

from samskab.accounts.models import User
from samskab.debates.demo import VOTERS, _voter
from samskab.debates.models import Area
from samskab.proposals import services
from samskab.proposals.models import Proposal

# title, summary, text, tags, area, (latitude, longitude) or None, days ago, state, video
PROPOSALS = [
    (
        "Flere bænke langs åen",
        "Sæt ti nye bænke op langs stien ved åen.",
        "Stien langs åen bruges af mange ældre og børnefamilier, men der er langt mellem "
        "bænkene. Ti bænke med ryglæn vil gøre turen mulig for flere.",
        ["byliv", "natur"],
        "Midtbyen",
        (55.9520, 9.6150),
        4,
        "open",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "Gratis svømning for børn om søndagen",
        "Børn under 12 svømmer gratis i svømmehallen om søndagen.",
        "Mange familier har ikke råd til svømmehallen hver uge. Gratis svømning om "
        "søndagen vil give flere børn lyst til at bevæge sig.",
        ["sport", "børn"],
        "",
        None,
        40,
        "successful",
        "",
    ),
    (
        "Cykelparkering ved stationen",
        "Byg en overdækket cykelparkering med 300 pladser ved stationen.",
        "Cyklerne står overalt ved stationen og bliver våde. En overdækket parkering vil "
        "give plads og orden.",
        ["trafik", "cykler"],
        "Midtbyen",
        (55.9450, 9.6050),
        60,
        "evaluating",
        "",
    ),
    (
        "Frugttræer i de grønne områder",
        "Plant frugttræer, som alle må plukke fra.",
        "Æbler, pærer og blommer i parkerne: smukt om foråret og til glæde for alle om efteråret.",
        ["natur"],
        "Nordbyen",
        (55.9700, 9.6300),
        90,
        "accepted",
        "",
    ),
    (
        "Gågade hele året i Torvegade",
        "Gør Torvegade til gågade hele året.",
        "Bilerne fylder, og det er svært at gå og cykle. Gågade hele året vil gøre byen "
        "mere levende.",
        ["trafik", "byliv"],
        "Midtbyen",
        (55.9560, 9.6220),
        120,
        "rejected",
        "",
    ),
    (
        "LED-lys på landevejene",
        "Sæt LED-gadelys op på vejene mellem landsbyerne.",
        "Det er mørkt og farligt at cykle mellem landsbyerne om vinteren. LED-lys bruger "
        "lidt strøm og giver tryghed.",
        ["trafik", "landsbyer"],
        "Landsbyerne",
        (55.9900, 9.5800),
        50,
        "agenda",
        "",
    ),
    (
        "Sikker skolevej i Vestbyen",
        "Lav et fodgængerfelt og lavere fart ved Vestbyens skole.",
        "Børnene krydser en travl vej. Et fodgængerfelt og 30 km/t vil gøre skolevejen sikker.",
        ["trafik", "skole", "børn"],
        "",
        (55.9200, 9.6600),
        70,
        "treated",
        "",
    ),
    (
        "Hundeskov i Nordbyen",
        "Indhegn et stykke af Nordskoven til hunde.",
        "Der er ingen hundeskov nord for åen.",
        ["natur", "hunde"],
        "Nordbyen",
        None,
        20,
        "retired",
        "",
    ),
    (
        "Skøjtebane på torvet om vinteren",
        "Sæt en skøjtebane op på torvet i december og januar.",
        "En skøjtebane vil give liv på torvet i den mørke tid.",
        ["byliv", "sport"],
        "Midtbyen",
        None,
        430,
        "archived",
        "",
    ),
    (
        "Køb mine brugte dæk",
        "Kommunen bør købe mine dæk.",
        "Ring til mig.",
        ["trafik"],
        "",
        None,
        3,
        "hidden",
        "",
    ),
]

ANSWERS = {
    "evaluating": "Forvaltningen undersøger pladsen og prisen og vender tilbage i foråret.",
    "accepted": "Forslaget er vedtaget. De første træer plantes i november.",
    "rejected": "Forslaget er afvist: Torvegade er busgade, og bussen kan ikke flyttes.",
}


def proposals_demo_part(context: dict) -> list[str]:
    from samskab.accounts.demo import DEMO_CITIZEN

    voters = {name: _voter(name, verified) for name, verified in VOTERS}
    residents = [voters[name] for name, verified in VOTERS if verified]
    citizen = User.objects.filter(email=DEMO_CITIZEN).first() or voters["Anne"]
    editor = User.objects.filter(email="redaktor@demo.samskab.dk").first()
    moderator = User.objects.filter(email="moderator@demo.samskab.dk").first()
    meetings = context.get("meetings") or {}
    areas = {area.name: area for area in Area.objects.all()}
    made = 0
    for index, (title, summary, text, tags, area, point, days, state, video) in enumerate(
        PROPOSALS
    ):
        if Proposal.objects.filter(title=title).exists():
            continue
        author = citizen if index == 0 else voters[VOTERS[index % len(VOTERS)][0]]
        proposal = services.proposal_create(
            author=author,
            title=title,
            summary=summary,
            text=text,
            video_url=video,
            tags=tags,
            area=areas.get(area),
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            language="da",
        )
        Proposal.objects.filter(pk=proposal.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )
        proposal.refresh_from_db()
        if state != "archived":
            for resident in residents[: 2 + index % 4]:
                if resident.pk != author.pk:
                    services.proposal_support(proposal=proposal, user=resident)
        proposal = services.proposal_recount(proposal=proposal)
        if state in ("successful", "evaluating", "accepted", "rejected", "agenda", "treated"):
            Proposal.objects.filter(pk=proposal.pk, succeeded_at__isnull=True).update(
                succeeded_at=proposal.created_at + timedelta(days=days // 2)
            )
            proposal.refresh_from_db()
        if state in ANSWERS and editor is not None:
            services.proposal_answer(
                proposal=proposal, user=editor, answer=state, text=ANSWERS[state]
            )
        meeting = meetings.get("upcoming" if state == "agenda" else "past")
        if state in ("agenda", "treated") and editor is not None and meeting is not None:
            item = meeting.agenda_items.filter(is_public=True).exclude(number="1").first()
            if item is not None:
                services.proposal_to_agenda(proposal=proposal, user=editor, agenda_item=item)
        if state == "retired":
            services.proposal_retire(
                proposal=proposal,
                user=author,
                reason="Kommunen har allerede planer om en hundeskov samme sted.",
            )
        if state == "hidden" and moderator is not None:
            services.proposal_hide(
                proposal=proposal, user=moderator, reason="Reklame, ikke et forslag."
            )
        made += 1
    return [f"Proposals: {Proposal.objects.count()} ({made} new), at /forslag/"]

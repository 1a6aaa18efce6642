"""A survey with one question of every kind, for the survey tests."""

from samskab.surveys.models import Choice, Question, Section, Survey


def add_question(survey, kind, text, *, choices=(), rows=(), section=None, **fields):
    """The next question of the survey; in the section given, else in the survey's last
    section, if it has one (a question without a section comes before every section)."""
    position = survey.questions.count()
    section = section or survey.sections.last()
    question = Question.objects.create(
        survey=survey,
        kind=kind,
        text_da=text,
        text_en=fields.pop("text_en", ""),
        position=position,
        section=section,
        **fields,
    )
    for n, label in enumerate(choices):
        Choice.objects.create(question=question, text_da=label, position=n)
    for n, label in enumerate(rows):
        Choice.objects.create(question=question, text_da=label, position=n, is_row=True)
    return question


def make_survey(status=Survey.Status.OPEN, **fields) -> Survey:
    """q single (required), q multiple, follow-up text shown if "Cykel", number 0-120,
    scale 1-5, scale 0-10, ranking of three, matrix 2 rows x 3 columns."""
    survey = Survey.objects.create(
        title_da=fields.pop("title_da", "Trafik i bymidten"),
        title_en="Traffic in the town centre",
        slug=fields.pop("slug", "trafik"),
        status=status,
        **fields,
    )
    section = Section.objects.create(survey=survey, title_da="Om dig", title_en="About you")
    town = Section(survey=survey, position=1, title_da="Om byen", title_en="About the town")
    survey.q_single = add_question(
        survey,
        "single",
        "Hvordan kommer du til byen?",
        choices=("Bil", "Cykel", "Bus"),
        required=True,
        section=section,
        text_en="How do you get to town?",
    )
    town.save()
    survey.q_multiple = add_question(
        survey, "multiple", "Hvad bruger du byen til?", choices=("Indkøb", "Arbejde", "Café")
    )
    bike = survey.q_single.choices.get(text_da="Cykel")
    survey.q_follow = add_question(
        survey, "text", "Hvad kan gøre cykelruten bedre?", show_if_choice=bike, required=True
    )
    survey.q_number = add_question(survey, "number", "Din alder", minimum=0, maximum=120)
    survey.q_scale5 = add_question(survey, "scale5", "Hvor tilfreds er du?")
    survey.q_scale10 = add_question(survey, "scale10", "Anbefaler du byen?")
    survey.q_ranking = add_question(
        survey, "ranking", "Prioritér", choices=("Cykelsti", "Parkering", "Bænke")
    )
    survey.q_matrix = add_question(
        survey,
        "matrix",
        "Hvor enig er du?",
        choices=("Enig", "Neutral", "Uenig"),
        rows=("Mere grønt", "Færre biler"),
    )
    return survey


def ids(question, *, rows=False):
    return list(question.choices.filter(is_row=rows).values_list("pk", flat=True))


def full_answers(survey) -> dict:
    """Raw answers (as the API takes them) to every question, by a cyclist."""
    rows = ids(survey.q_matrix, rows=True)
    columns = ids(survey.q_matrix)
    return {
        str(survey.q_single.pk): ids(survey.q_single)[1],
        str(survey.q_multiple.pk): ids(survey.q_multiple)[:2],
        str(survey.q_follow.pk): '=HYPERLINK("http://evil.example")',
        str(survey.q_number.pk): "42,5",
        str(survey.q_scale5.pk): 4,
        str(survey.q_scale10.pk): "10",
        str(survey.q_ranking.pk): list(reversed(ids(survey.q_ranking))),
        str(survey.q_matrix.pk): {str(rows[0]): columns[0], str(rows[1]): columns[2]},
    }

"""Loading the catalog and lexicon files: generated terms, and errors that name file and field."""

import shutil

import pytest

from bot.exceptions import DataFileError
from bot.nlu.lexicon import load_lexicon, spelling_variants
from tests.unit.shared import ROOT, edit


@pytest.fixture
def data_copy(tmp_path):
    shutil.copy(ROOT / "data/catalog.yml", tmp_path / "catalog.yml")
    shutil.copytree(ROOT / "data/lexicon", tmp_path / "lexicon")
    return tmp_path


def test_every_catalog_model_and_alias_becomes_a_car_model_term(lexicon):
    from bot.catalog import load_catalog

    catalog = load_catalog(ROOT / "data/catalog.yml")
    terms = {(t.text, t.value) for t in lexicon.terms if t.label == "car_model"}
    for m in catalog.models:
        for name in (m.name,) + m.aliases:
            assert (name, m.name) in terms


def test_jieba_dictionary_lines_keep_latin_variants_without_spaces(lexicon):
    words = {line.split(" ")[0] for line in lexicon.jieba_lines()}
    assert {"远山Pro", "远山pro", "YuanshanPro", "yuanshanpro", "星河ev"} <= words
    assert all(" " not in w for w in words)


def test_spelling_variants():
    assert spelling_variants("Model Y") == ["Model Y", "model y", "MODEL Y", "ModelY", "modely"]
    assert spelling_variants("晨风") == ["晨风"]


def test_lexicon_round_trips_through_its_stored_form(lexicon):
    from bot.nlu.lexicon import Lexicon

    assert Lexicon.from_dict(lexicon.to_dict()) == lexicon


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "catalog.yml",
            "    seats: 7\n",
            "    seats: seven\n",
            "catalog.yml: models[2].seats: expected a whole number",
        ),
        (
            "catalog.yml",
            "      - {name: 舒适版, price: 109800}",
            "      - {name: 舒适版, prize: 109800}",
            "catalog.yml: models[0].trims[0].prize: unknown field",
        ),
        ("catalog.yml", "    name: 远山Pro\n", "", "catalog.yml: models[2]: missing field 'name'"),
        (
            "catalog.yml",
            "aliases: [Yuanshan, ",
            "aliases: [晨风, Yuanshan, ",
            "catalog.yml: models[1].aliases: '晨风' is already used by model 'chenfeng'",
        ),
        ("lexicon/family_members.yml", "child: [", "kid: [", "family_members.yml: missing field 'child'"),
        (
            "lexicon/competitors.yml",
            "  - name: 本田\n",
            "  - nam: 本田\n",
            "competitors.yml: brands[1]: missing field 'name'",
        ),
        (
            "lexicon/money.yml",
            "bare_number_min: 1000",
            "bare_number_min: -5",
            "money.yml: bare_number_min: expected a whole number",
        ),
        (
            "lexicon/money.yml",
            "latin_units: {w: 10000, k: 1000}",
            "latin_units: {wan: 10000}",
            "money.yml: latin_units.wan: keys must be single characters",
        ),
        (
            "lexicon/competitors.yml",
            "aliases: [Camry, 凯美端]",
            "aliases: [Camry, 晨风]",
            "'晨风' is listed as competitor=凯美瑞 and as car_model=晨风",
        ),
    ],
)
def test_broken_data_file_error_names_file_and_field(data_copy, file, old, new, message):
    edit(data_copy / file, old, new)
    with pytest.raises(DataFileError) as err:
        load_lexicon(data_copy / "catalog.yml", data_copy / "lexicon")
    assert message in str(err.value)


def test_duplicate_yaml_keys_and_bad_yaml_are_reported_with_the_file(data_copy):
    path = data_copy / "lexicon/family_members.yml"
    path.write_text("spouse: [老婆]\nspouse: [老公]\nparent: []\nchild: []\nother: []\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="family_members.yml: invalid YAML: .*duplicate key"):
        load_lexicon(data_copy / "catalog.yml", data_copy / "lexicon")
    path.write_text("spouse: [老婆\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="family_members.yml: invalid YAML"):
        load_lexicon(data_copy / "catalog.yml", data_copy / "lexicon")


def test_all_problems_are_reported_at_once(data_copy):
    (data_copy / "lexicon/money.yml").unlink()
    cat = data_copy / "catalog.yml"
    cat.write_text(cat.read_text(encoding="utf-8").replace("seats: 5", "seats: five"), encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_lexicon(cat, data_copy / "lexicon")
    text = str(err.value)
    assert "money.yml: file not found" in text and "seats: expected a whole number" in text

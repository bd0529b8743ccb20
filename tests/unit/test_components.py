"""Our Rasa graph components on a temporary model storage, without a server."""

import shutil
from pathlib import Path

import jieba
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.entity_extractor import DealerEntityExtractor
from bot.nlu.tokenizer import GENERATED_DICTIONARY, DealerJiebaTokenizer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


@pytest.fixture
def context():
    return ExecutionContext(GraphSchema({}), "test")


def config_for(cls, **overrides):
    return {
        **cls.get_default_config(),
        "catalog_path": str(ROOT / "data/catalog.yml"),
        "lexicon_dir": str(ROOT / "data/lexicon"),
        **overrides,
    }


def test_extractor_trains_stores_and_loads_its_lexicon(storage, context):
    config = config_for(DealerEntityExtractor)
    resource = Resource("extractor")
    trained = DealerEntityExtractor.create(config, storage, resource, context)
    trained.train(TrainingData())
    loaded = DealerEntityExtractor.load(config, storage, resource, context)
    message = Message({TEXT: "老婆说远山Pro超预算了，最多二十万"})
    loaded.process([message])
    assert [(e["entity"], e["value"], e["start"], e["end"], e["extractor"]) for e in message.get(ENTITIES)] == [
        ("family_member", "spouse", 0, 2, "DealerEntityExtractor"),
        ("car_model", "远山Pro", 3, 8, "DealerEntityExtractor"),
        ("money", 200000, 15, 18, "DealerEntityExtractor"),
    ]


def test_extractor_finds_trim_and_spec_from_its_stored_copy_of_the_data(storage, context, tmp_path):
    import shutil

    catalog, lexicon = tmp_path / "catalog.yml", tmp_path / "lexicon"
    shutil.copyfile(ROOT / "data/catalog.yml", catalog)
    shutil.copytree(ROOT / "data/lexicon", lexicon)
    config = config_for(DealerEntityExtractor, catalog_path=str(catalog), lexicon_dir=str(lexicon))
    resource = Resource("extractor-trim-spec")
    DealerEntityExtractor.create(config, storage, resource, context).train(TrainingData())
    shutil.rmtree(lexicon)
    catalog.unlink()  # the trained model no longer reads the data files
    loaded = DealerEntityExtractor.load(config, storage, resource, context)
    message = Message({TEXT: "远山两驱豪华版多少钱，油耗呢"})
    loaded.process([message])
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in message.get(ENTITIES)] == [
        ("car_model", "远山", 0, 2),
        ("trim", "两驱豪华版", 2, 7),
        ("spec", "价格", 7, 10),
        ("spec", "油耗", 11, 13),
    ]
    equipment = Message({TEXT: "远山pro有没有全景天窗"})
    loaded.process([equipment])
    assert [(e["entity"], e["value"]) for e in equipment.get(ENTITIES)] == [
        ("car_model", "远山Pro"),
        ("spec", "全景天窗"),
    ]


def test_extractor_keeps_entities_of_earlier_extractors(storage, context):
    extractor = DealerEntityExtractor.create(config_for(DealerEntityExtractor), storage, Resource("x"), context)
    earlier = {"entity": "other", "start": 0, "end": 1, "value": "x"}
    message = Message({TEXT: "晨风", ENTITIES: [earlier]})
    extractor.process([message])
    assert message.get(ENTITIES)[0] == earlier and message.get(ENTITIES)[1]["value"] == "晨风"


def test_fingerprints_change_when_the_catalog_changes(tmp_path):
    shutil.copy(ROOT / "data/catalog.yml", tmp_path / "catalog.yml")
    shutil.copytree(ROOT / "data/lexicon", tmp_path / "lexicon")
    shutil.copytree(ROOT / "data/jieba", tmp_path / "jieba")
    config = {
        "catalog_path": str(tmp_path / "catalog.yml"),
        "lexicon_dir": str(tmp_path / "lexicon"),
        "dictionary_path": str(tmp_path / "jieba"),
    }
    before = (DealerEntityExtractor.fingerprint_addon(config), DealerJiebaTokenizer.fingerprint_addon(config))
    catalog = tmp_path / "catalog.yml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("小晨风", "小晨晨"), encoding="utf-8")
    after = (DealerEntityExtractor.fingerprint_addon(config), DealerJiebaTokenizer.fingerprint_addon(config))
    assert before[0] != after[0] and before[1] != after[1]
    (tmp_path / "jieba" / "car_sales.txt").write_text("新词 100 n\n", encoding="utf-8")
    assert DealerJiebaTokenizer.fingerprint_addon(config) != after[1]


def test_tokenizer_persists_hand_written_and_generated_dictionaries(storage, context):
    config = config_for(DealerJiebaTokenizer, dictionary_path=str(ROOT / "data/jieba"))
    resource = Resource("tokenizer")
    tokenizer = DealerJiebaTokenizer.create(config, storage, resource, context)
    tokenizer.train(TrainingData())
    with storage.read_from(resource) as directory:
        files = {p.name: p.read_text(encoding="utf-8") for p in Path(directory).iterdir()}
    assert "car_sales.txt" in files
    generated = files[GENERATED_DICTIONARY].splitlines()
    assert "远山Pro 200000 nz" in generated and "yuanshanpro 200000 nz" in generated
    tokens = [t.text for t in tokenizer.tokenize(Message({TEXT: "远山Pro和星河EV哪个好"}), TEXT)]
    assert tokens[:3] == ["远山Pro", "和", "星河EV"]


def test_default_jieba_splits_our_model_names():
    """Without our dictionary jieba breaks the names apart: what the server test relies on."""
    plain = jieba.Tokenizer()
    assert plain.lcut("远山Pro和星河EV哪个好")[:2] != ["远山Pro", "和"]

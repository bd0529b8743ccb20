# Action server image: the custom actions (actions/), our logic (bot/) and the data files they read at
# run time (data/: catalog, playbook, lexicons, role-play personas and rubric).
#   docker build -t showroom-bot-actions .
# Stateless: run as many copies as needed (docker compose ... --scale actions=N).
FROM rasa/rasa-sdk:3.6.2

# The base image (Ubuntu 22.04, Python 3.10, venv in /opt/venv) has rasa-sdk, sanic and ruamel.yaml.
# Added here, pinned as in requirements.txt (used as constraints so that transitive packages get the
# locked versions too):
#   spacy           bot/roleplay/scorer.py (rubric matching, spacy.blank("zh"): no model download)
#   jieba           bot/nlu/entities.py (Chinese segmentation of customer text)
#   defusedxml      bot/channels/wechat_xml.py (shared bot/ package)
#   pyyaml          YAML files read by bot/
#   SQLAlchemy, psycopg2-binary   lead rows written to the database (bot/database.py: DB_*)
USER root
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -c /tmp/requirements.txt \
        spacy==3.4.4 \
        jieba==0.42.1 \
        defusedxml==0.7.1 \
        pyyaml==6.0.4 \
        sqlalchemy==1.4.54 \
        psycopg2-binary==2.9.13 \
    && rm -f /tmp/requirements.txt

WORKDIR /app
# Code and data are owned by root and read-only for the server; only var/ is writable.
COPY bot/ /app/bot/
COPY actions/ /app/actions/
COPY deploy/logging.yml /app/deploy/logging.yml
COPY data/ /app/data/
RUN mkdir -p /app/var && chown 1001:0 /app/var && chmod 0770 /app/var

ENV RASA_TELEMETRY_ENABLED=false \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONHASHSEED=0 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    BOT_DATA_DIR=/app/var

USER 1001
EXPOSE 5055
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]

# The base image's entrypoint runs `python -m rasa_sdk` for "start".
CMD ["start", "--actions", "actions", "--port", "5055", "--logging-config_file", "deploy/logging.yml"]

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>CatalogView</name>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n model</numerusform>
            <numerusform>%n models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 model(s) shown</source>
        <translation>
            <numerusform>%n of %1 model shown</numerusform>
            <numerusform>%n of %1 models shown</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message numerus="yes">
        <source>%n older message(s) were left out so the reply fits in the context of {n_ctx} tokens.</source>
        <translation>
            <numerusform>%n older message was left out so the reply fits in the context of {n_ctx} tokens.</numerusform>
            <numerusform>%n older messages were left out so the reply fits in the context of {n_ctx} tokens.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FilterSection</name>
    <message numerus="yes">
        <source>%n match(es):</source>
        <translation>
            <numerusform>%n match:</numerusform>
            <numerusform>%n matches:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LibraryPanel</name>
    <message numerus="yes">
        <source>%n model(s) on disk</source>
        <translation>
            <numerusform>%n model on disk</numerusform>
            <numerusform>%n models on disk</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copy %n file(s) into LLM Desk&apos;s model folder, or use them where they are?</source>
        <translation>
            <numerusform>Copy %n file into LLM Desk&apos;s model folder, or use it where it is?</numerusform>
            <numerusform>Copy %n files into LLM Desk&apos;s model folder, or use them where they are?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message numerus="yes">
        <source>Thinking… (%n word(s))</source>
        <translation>
            <numerusform>Thinking… (%n word)</numerusform>
            <numerusform>Thinking… (%n words)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reasoning (%n word(s))</source>
        <translation>
            <numerusform>Reasoning (%n word)</numerusform>
            <numerusform>Reasoning (%n words)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message numerus="yes">
        <source>%n model(s) run on this machine</source>
        <translation>
            <numerusform>%n model run on this machine</numerusform>
            <numerusform>%n models run on this machine</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PerfPanel</name>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
</context>
</TS>

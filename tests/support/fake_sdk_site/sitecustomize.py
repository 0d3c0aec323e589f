"""In a run worker started by a test: swap the SDK's MetaApi for the fake when a scenario is set."""

import os

if os.environ.get("KINETRA_FAKE_METAAPI"):
    import metaapi_cloud_sdk

    from tests.support.fake_metaapi import FakeMetaApi

    metaapi_cloud_sdk.MetaApi = FakeMetaApi

import json

import requests
import shared  # from the layer (built into python/)
import tabulate  # the layer's requirements.txt


def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"requests": requests.__version__, "shared": shared.NAME,
                            "tabulate": tabulate.__version__}),
    }

/**
 * The seed page's examples, verbatim (/work/shared/reference/seeds/003_8ead4c7d98cb7f55.txt,
 * the 2018 beta "call: reject" page): the incoming-call notification POSTed to /callback, the
 * 200 commsOperation answered by `POST /beta/app/calls/{id}/reject`, and the `deleted`
 * notification that follows. Copied byte for byte (String.raw keeps the \" escapes as-is).
 */

/** The call id the seed's notifications use. */
export const SEED_CALL_ID = '57DAB8B1894C409AB240BD8BEAE78896';

/** The seed's caller. */
export const SEED_CALLER_NAME = 'Test User';

/** "Notification - Incoming" */
export const SEED_INCOMING_NOTIFICATION: string = String.raw`{
    "value": [
        {
            "changeType": "created",
            "resource": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
            "resourceData": {
                "@odata.type" : "#microsoft.graph.call",
                "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
                "@odata.etag": "W/\"5445\"",
                "callState": "incoming",
                "direction": "incoming",
                "correlationId": "2F3556DB-B502-4A69-8C0E-38AF3A6A9D94",
                "source": {
                    "@odata.type": "#microsoft.graph.participantInfo",
                    "identity" : {
                        "@odata.type": "#microsoft.graph.identitySet",
                        "user" : {
                            "@odata.type": "#microsoft.graph.endpointIdentity",
                            "displayName": "Test User",
                            "language": "en-US",
                            "id": "8A34A46B-3D17-4ADC-8DCE-DC4E7D572698"
                        }
                    }
                },
                "targets" : [{
                    "@odata.type": "#microsoft.graph.participantInfo",
                    "identity" : {
                        "@odata.type": "#microsoft.graph.identitySet",
                        "application" : {
                            "@odata.type": "#microsoft.graph.endpointIdentity",
                            "displayName": "Test BOT",
                            "language": "en-US",
                            "id": "8A34A46B-3D17-4ADC-8DCE-DC4E7D572698"
                        }
                    }
                }],
                "requestedModalities": [ "audio", "video" ]
            }
        }
    ]
}`;

/** The "Response" to the reject request (HTTP/1.1 200 OK, application/json). */
export const SEED_REJECT_RESPONSE: string = String.raw`{
  "clientContext": "clientContext-value",
  "createdDateTime": "2018-03-19T09:46:02Z",
  "id": "id-value",
  "lastActionDateTime": "2018-03-19T09:46:02Z",
  "status": "Completed"
}`;

/** "Notification - Deleted" */
export const SEED_DELETED_NOTIFICATION: string = String.raw`{
    "value": [
        {
            "changeType": "deleted",
            "resource": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
            "resourceData": {
                "@odata.type" : "#microsoft.graph.call",
                "@odata.id": "/app/calls/57DAB8B1894C409AB240BD8BEAE78896",
                "@odata.etag": "W/\"5445\""
            }
        }
    ]
}`;

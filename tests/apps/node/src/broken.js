exports.handler = async () => { return {statusCode: 200 ;
